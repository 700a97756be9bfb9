import { signedTransactionToJson, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTx } from "./helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";

/*
 * How many NATS round trips between gateway and chain one relayed tx and one mined block cost,
 * counted by the chain side's $SRV.STATS on a line a — b — c. The bounds are today's counts: a
 * change that makes the boundary chattier fails here; one that removes round trips lowers them.
 */

let a: GatewayNode;
let b: GatewayNode;
let c: GatewayNode;

/** Requests each node's chain answered, by subject (the NATS services API's own counters). */
async function counts(n: GatewayNode): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const s of await n.chain.bus.nc.services.client().stats("chain")) {
    for (const e of s.endpoints ?? []) out[e.subject] = (out[e.subject] ?? 0) + e.num_requests;
  }
  return out;
}
const all = () => Promise.all([a, b, c].map(counts));
function delta(before: Record<string, number>[], after: Record<string, number>[]) {
  const out: Record<string, number> = {};
  after.forEach((m, i) => {
    for (const [k, v] of Object.entries(m)) {
      const d = v - (before[i]![k] ?? 0);
      if (d > 0) out[k] = (out[k] ?? 0) + d;
    }
  });
  return out;
}
const total = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);

beforeAll(async () => {
  [a, b, c] = await Promise.all([
    startGatewayNode({ options: { reannounceMs: 3_600_000 } }),
    startGatewayNode({ options: { reannounceMs: 3_600_000 } }),
    startGatewayNode({ options: { reannounceMs: 3_600_000 } }),
  ]);
  expect((await connect(a, b)).status).toBe(200);
  expect((await connect(b, c)).status).toBe(200);
  // Settle the links: the new-peer pool announcements (inventory requests) are done.
  const warm = makeTx("warm-up");
  a.chain.acceptTx(signedTransactionToJson(warm), false);
  await eventually(() => c.chain.txs.has(toHex(txId(warm))), Boolean);
});
afterAll(async () => {
  await Promise.all([a, b, c].map((n) => n?.stop()));
});

describe("NATS round trips between gateway and chain", () => {
  it("per relayed tx: at most 2 (the receiver's submit, and the chain read that serves the next getdata)", async () => {
    const before = await all();
    const txs = Array.from({ length: 10 }, (_, i) => makeTx(`count-${i}`));
    for (const t of txs) a.chain.acceptTx(signedTransactionToJson(t), false);
    await eventually(() => txs.every((t) => c.chain.txs.has(toHex(txId(t)))), Boolean);
    const d = delta(before, await all());
    const relays = txs.length * 2; // a → b, b → c
    console.log(`round trips per relayed tx: ${total(d) / relays} ${JSON.stringify(d)}`);
    expect(total(d) / relays).toBeLessThanOrEqual(2);
  });

  it("per block: at most 2 on each node (submit or serve the block, read the tip)", async () => {
    const before = await all();
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) {
      hashes.push(a.chain.mine());
      await eventually(() => c.chain.tipHash === hashes.at(-1), Boolean);
    }
    const d = delta(before, await all());
    const perNode = total(d) / (hashes.length * 3);
    console.log(`round trips per block per node: ${perNode} ${JSON.stringify(d)}`);
    // Two getdata for one block that race its first read each cost a block.get: at most one
    // such duplicate over the run, else the boundary has grown chattier.
    expect(total(d)).toBeLessThanOrEqual(hashes.length * 3 * 2 + 1);
  });
});
