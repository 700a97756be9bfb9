import { decodeSignedTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { addressHexOf, signingKeyFromSeed, signTransaction } from "@p2pnode/crypto";
import type { Bus, RunningService } from "@p2pnode/kit";
import {
  connectTestBus,
  eventually,
  freePort,
  startTestNode,
  startTestService,
  type TestNode,
  testGenesis,
} from "@p2pnode/kit/testing";
import { ChainSubjects } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayService } from "../src/api.js";
import { type ChainProcess, startChainProcess } from "./helpers/chain-process.js";
import { ADMIN } from "./helpers/cluster.js";

/*
 * How many NATS requests the gateways make of their chains for one relayed tx and one mined
 * block, on a line a — b — c of full nodes: real nats-servers, the real chain service (its built
 * entry point, as the supervisor runs it) and real gateways over loopback sockets. Counted by each
 * chain's own $SRV.STATS, so every request any gateway makes is seen.
 *
 * The chain's events carry the tx and block bytes, the block's height and total work, so:
 *  - a tx accepted on a costs one request per node it reaches (b's and c's tx.submit): a serves
 *    b's getdata, and b serves c's, from the bytes of the tx.accepted event (before: a tx.get each);
 *  - a block mined on a costs one request per node it reaches (b's and c's block.submit): a serves
 *    the getdata from the event, and no gateway reads the tip back (before: a block.get and a
 *    tip.get on each of the three nodes).
 */

const wallet = signingKeyFromSeed(new Uint8Array(32).fill(42));
const genesis = testGenesis({
  allocations: [{ address: addressHexOf(wallet.publicKey), balance: "1000000" }],
});

interface Node {
  node: TestNode;
  chain: ChainProcess;
  gateway: RunningService;
  p2pPort: number;
  /** The test's own client on the node's NATS (stats, the miner's template). */
  bus: Bus;
  stop: () => Promise<void>;
}

async function startNode(): Promise<Node> {
  const node = await startTestNode("full", {}, { genesis });
  const chain = await startChainProcess(node);
  const p2pPort = await freePort();
  const def = createGatewayService({
    // Re-announcement of unmined txs would add inventory reads mid-count: not within this test.
    options: { pingIntervalMs: 500, dialIntervalMs: 200, discovery: false, reannounceMs: 3_600_000 },
  });
  const gateway = await startTestService(def, node, { P2PNODE_P2P_PORT: String(p2pPort) });
  const bus = await connectTestBus(node.nats, "round-trips-test");
  return {
    node,
    chain,
    gateway,
    p2pPort,
    bus,
    stop: async () => {
      await bus.close();
      await gateway.stop();
      await chain.stop();
      await node.stop();
    },
  };
}

async function connect(from: Node, to: Node): Promise<void> {
  const res = await from.gateway.ctx.app.inject({
    method: "POST",
    url: "/peers/connect",
    headers: ADMIN,
    payload: { host: "127.0.0.1", port: to.p2pPort },
  });
  expect(res.statusCode).toBe(200);
}

/** Requests a node's chain answered, by subject (the NATS services API's own counters). */
async function counts(n: Node): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const s of await n.bus.nc.services.client().stats("chain")) {
    for (const e of s.endpoints ?? []) if (e.num_requests > 0) out[e.subject] = e.num_requests;
  }
  return out;
}

let a: Node;
let b: Node;
let c: Node;
const line = () => [a, b, c];
const snapshot = () => Promise.all(line().map(counts));

/** Requests made between two snapshots, summed over the line, by subject. */
function delta(before: Record<string, number>[], after: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  after.forEach((m, i) => {
    for (const [k, v] of Object.entries(m)) {
      const d = v - (before[i]![k] ?? 0);
      if (d > 0) out[k] = (out[k] ?? 0) + d;
    }
  });
  return out;
}

let nonce = 0;
async function sendTx(to: Node): Promise<string> {
  const stx = signTransaction(
    {
      kind: "transfer",
      from: wallet.publicKey,
      to: new Uint8Array(20).fill(1),
      amount: 10n,
      fee: 10n,
      nonce: nonce++,
      memo: new Uint8Array(),
    },
    genesis.chainId,
    wallet,
  );
  const res = await fetch(`${to.chain.url}/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(signedTransactionToJson(stx)),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const hasTx = (n: Node, id: string) => fetch(`${n.chain.url}/txs/${id}`).then((r) => r.status === 200);
const tipOf = async (n: Node) =>
  ((await (await fetch(`${n.chain.url}/tip`)).json()) as { hash: string }).hash;

/** Mines on `n` as its miner would: a template from the chain, a block back (over REST here). */
async function mine(n: Node): Promise<string> {
  const t = await n.bus.request(ChainSubjects.templateGet, { miner: "00".repeat(20) });
  const res = await fetch(`${n.chain.url}/blocks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      header: t.header,
      txs: t.txs.map((b) => signedTransactionToJson(decodeSignedTransaction(b))),
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { hash: string }).hash;
}

beforeAll(async () => {
  [a, b, c] = await Promise.all([startNode(), startNode(), startNode()]);
  await connect(a, b);
  await connect(b, c);
  // Settle the links: each new peer is told the pool (inventory reads) before the counting starts.
  const warm = await sendTx(a);
  await eventually(() => hasTx(c, warm), Boolean);
}, 120_000);
afterAll(async () => {
  await Promise.all([a, b, c].map((n) => n?.stop()));
});

describe("NATS requests from gateway to chain", () => {
  it("one tx accepted on a and relayed a → b → c: only b's and c's submits (before: 4, a tx.get on a and b too)", async () => {
    const before = await snapshot();
    const id = await sendTx(a);
    await eventually(() => hasTx(c, id), Boolean);
    const d = delta(before, await snapshot());
    console.log(`requests for one relayed tx: ${JSON.stringify(d)}`);
    expect(d).toEqual({ "chain.v1.tx.submit": 2 });
  });

  it("one block mined on a and relayed a → b → c: only b's and c's submits (before: 6, block.get and tip.get)", async () => {
    const before = await snapshot();
    const hash = await mine(a);
    await eventually(async () => (await tipOf(c)) === hash, Boolean);
    const d = delta(before, await snapshot());
    console.log(`requests for one mined block: ${JSON.stringify(d)}`);
    // The template is this test's own request (standing in for the miner), not a gateway's.
    expect(d).toEqual({ "chain.v1.template.get": 1, "chain.v1.block.submit": 2 });
  });
});
