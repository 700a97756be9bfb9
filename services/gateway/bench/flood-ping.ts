/**
 * An honest peer's ping round trips while 10,000 txs arrive in about a second, next to the same
 * peer's round trips with no flood (same run, same node). The flood comes from 50 identities on
 * 50 addresses (127.92.x.1, then 127.94.x.1), so each is cut off by its own bucket and the node
 * keeps working through the whole volume. The chain stand-in runs in this process: it verifies
 * the flood's signatures inline on this event loop in the first flood, and on a VerifyPool (as
 * the chain service does) in the second. Writes bench-results/gateway-flood.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { encodeSignedTransaction } from "@p2pnode/codec";
import { VerifyPool } from "@p2pnode/crypto";
import { benchSetting } from "@p2pnode/kit/testing";
import { makeTx } from "../test/helpers/chain-stub.js";
import { startGatewayNode } from "../test/helpers/cluster.js";
import { RawPeer } from "../test/helpers/raw-peer.js";

const TXS = benchSetting("FLOOD_TXS", 10_000, { min: 1 });
const FLOODERS = 50;

const node = await startGatewayNode({ options: { devnet: false } });
const honest = await RawPeer.connect(node.p2pPort, node.network, { localAddress: "127.93.0.1" });

/** Pings every 10 ms while `during` runs; the round trips in ms. */
async function pingWhile(during: () => Promise<void>): Promise<number[]> {
  const sent = new Map<bigint, number>();
  const from = honest.received.length;
  let nonce = BigInt(Date.now());
  const timer = setInterval(() => {
    sent.set(nonce, performance.now());
    honest.send({ type: "ping", nonce: nonce++ });
  }, 10);
  await during();
  clearInterval(timer);
  const deadline = Date.now() + 30_000;
  const pongs = () => honest.received.slice(from).filter((m) => m.type === "pong" && sent.has(m.nonce));
  while (pongs().length < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return honest.received
    .slice(from)
    .flatMap((m, i) =>
      m.type === "pong" && sent.has(m.nonce) ? [honest.receivedAt[from + i]! - sent.get(m.nonce)!] : [],
    );
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { pings: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? Number.NaN };
};

const loadBefore = loadavg();
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);

/** One flood of TXS fresh txs from FLOODERS fresh identities on 127.<net>.x.1. */
async function flood(net: number) {
  const txs = Array.from({ length: TXS }, () => encodeSignedTransaction(makeTx()));
  const flooders = await Promise.all(
    Array.from({ length: FLOODERS }, (_, i) =>
      RawPeer.connect(node.p2pPort, node.network, { localAddress: `127.${net}.${i}.1` }),
    ),
  );
  const reachedBefore = node.chain.submittedTxs.length;
  const t0 = performance.now();
  const rtts = await pingWhile(async () => {
    for (let i = 0; i < TXS; i++) {
      flooders[i % FLOODERS]!.send({ type: "tx", tx: txs[i]! });
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 500));
  });
  for (const p of flooders) p.close();
  return {
    floodSeconds: (performance.now() - t0) / 1000,
    reachedChain: node.chain.submittedTxs.length - reachedBefore,
    ...stats(rtts),
  };
}

const idle = stats(await pingWhile(() => new Promise((r) => setTimeout(r, 1_500))));
const inline = await flood(92);
const pool = new VerifyPool();
await pool.start();
node.chain.verifier = pool;
const pooled = await flood(94);
node.chain.verifier = undefined;
await pool.close();
const loadAfter = loadavg();
const result = {
  txs: TXS,
  verifyThreads: pool.size,
  loadavg: { before: loadBefore, after: loadAfter },
  droppedUnsolicited: node.gateway.txIntake.dropped.unsolicited,
  idle,
  floodInlineVerify: inline,
  floodVerifyPool: pooled,
};
console.table({ idle, "flood, inline verify": inline, "flood, VerifyPool": pooled });
console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`);
console.log(JSON.stringify(result));
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/gateway-flood.json", JSON.stringify(result, null, 2));
honest.close();
await node.stop();
process.exit(0);
