/**
 * Gateway benchmarks, each figure next to its baseline from the same run:
 *  1. messages/s through one encrypted connection (Noise + codec) vs raw `ws` on loopback;
 *  2. a 1,000-tx block crossing 5 gateways in a line (chain stubs on real NATS), next to one
 *     node's own validation time of that block (signatures + Merkle root, as the stub checks).
 * Writes bench-results/gateway.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { blockToJson, encodeP2pMessage } from "@p2pnode/codec";
import { NoiseXX, opensslChaChaPoly, x25519KeyPair } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { WebSocket, WebSocketServer } from "ws";
import { SecureChannel } from "../src/frame.js";
import { toBytes } from "../src/socket-queue.js";
import { makeTx } from "../test/helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "../test/helpers/cluster.js";

function channels(): [SecureChannel, SecureChannel] {
  const i = new NoiseXX({ initiator: true, staticKey: x25519KeyPair() });
  const r = new NoiseXX({ initiator: false, staticKey: x25519KeyPair() });
  r.readMessage(i.writeMessage());
  i.readMessage(r.writeMessage());
  r.readMessage(i.writeMessage());
  return [
    new SecureChannel(i.split(opensslChaChaPoly), 4 << 20),
    new SecureChannel(r.split(opensslChaChaPoly), 4 << 20),
  ];
}

/** Messages/s from a client to a server over loopback; `encrypted` seals, opens and decodes each. */
async function loopback(count: number, size: number, encrypted: boolean): Promise<number> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", maxPayload: 8 << 20 });
  await new Promise((r) => server.once("listening", r));
  const port = (server.address() as { port: number }).port;
  const [tx, rx] = channels();
  let got = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  server.on("connection", (ws) =>
    ws.on("message", (data) => {
      if (encrypted) rx.decode(rx.open(toBytes(data)));
      if (++got === count) done();
    }),
  );
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once("open", r));
  const payload = new Uint8Array(size).fill(7);
  const raw = encodeP2pMessage({ type: "block", block: payload });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    ws.send(encrypted ? tx.seal({ type: "block", block: payload }).bytes : raw);
    if (ws.bufferedAmount > 16 << 20) await new Promise((r) => setTimeout(r, 1));
  }
  await finished;
  const rate = count / ((performance.now() - t0) / 1000);
  ws.terminate();
  await new Promise((r) => server.close(r));
  return Math.round(rate);
}

async function blockAcrossFive(): Promise<{ propagationMs: number; validationMs: number; txs: number }> {
  const nodes: GatewayNode[] = [];
  try {
    for (let i = 0; i < 5; i++) nodes.push(await startGatewayNode());
    for (let i = 0; i + 1 < nodes.length; i++) await connect(nodes[i]!, nodes[i + 1]!);
    const txs = Array.from({ length: 1_000 }, (_, i) => makeTx(`bench-${i}`));
    const first = nodes[0]!;
    const block = first.chain.nextBlock(txs);
    const json = blockToJson(block);
    // Validation baseline: the same checks on a fresh copy, on this machine, in this run.
    const v0 = performance.now();
    const probe = await startGatewayNode();
    probe.chain.height = first.chain.height;
    probe.chain.tipHash = first.chain.tipHash;
    const v1 = performance.now();
    probe.chain.acceptBlock(json, false);
    const validationMs = performance.now() - v1;
    await probe.stop();
    void v0;
    const t0 = performance.now();
    const hash = first.chain.acceptBlock(json, false).hash;
    await eventually(() => nodes.every((n) => n.chain.tipHash === hash), Boolean, 2_000, 2);
    return { propagationMs: performance.now() - t0, validationMs, txs: txs.length };
  } finally {
    for (const n of nodes) await n.stop();
  }
}

const results = {
  txSizedMessagesPerSecond: {
    encrypted: await loopback(20_000, 300, true),
    rawWs: await loopback(20_000, 300, false),
  },
  blockSizedMessagesPerSecond: {
    encrypted: await loopback(200, 200_000, true),
    rawWs: await loopback(200, 200_000, false),
  },
  block1000TxAcross5Nodes: await blockAcrossFive(),
};
console.log(JSON.stringify(results, null, 2));
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/gateway.json", `${JSON.stringify(results, null, 2)}\n`);
