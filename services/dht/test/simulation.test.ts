import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { distribution, type MeasuredLookup, type SimNode, Simulation } from "../src/simulation.js";

/*
 * 1,000 DhtNodes in one process over the in-memory datagram network (virtual time): the same
 * DhtNode, RoutingTable, Rpc and lookup code the service runs over UDP. Prints the hop-count
 * distribution and success rates; asserts behaviour, not speed.
 */

const NODES = 1000;
const LOOKUPS = 100;
const K = 20;
let sim: Simulation;

async function runLookups(n: number, alive: (s: SimNode) => boolean) {
  const out: { m: MeasuredLookup; exact: boolean; closestFound: boolean; recall: number }[] = [];
  const live = sim.nodes.filter(alive);
  for (let i = 0; i < n; i++) {
    const from = sim.pick(live);
    const target = sim.randomId();
    const m = await sim.lookup(from, target);
    const truth = sim.trueClosest(target, K, from, alive).map((s) => s.node.selfIdHex);
    const got = m.result.closest.map((p) => p.idHex);
    const hit = got.filter((id) => truth.includes(id)).length;
    out.push({ m, exact: hit === K && got.length === K, closestFound: got[0] === truth[0], recall: hit / K });
  }
  return out;
}

function report(label: string, runs: Awaited<ReturnType<typeof runLookups>>) {
  const hops = distribution(runs.map((r) => r.m.result.hops));
  const msgs = distribution(runs.map((r) => r.m.messages));
  const success = runs.filter((r) => r.closestFound).length / runs.length;
  const recall = runs.reduce((s, r) => s + r.recall, 0) / runs.length;
  console.log(
    `${label}: hops median ${hops.median} p90 ${hops.p90} max ${hops.max} ${JSON.stringify(hops.histogram)}; ` +
      `closest found ${(success * 100).toFixed(1)}%, k-closest recall ${(recall * 100).toFixed(1)}%; ` +
      `messages/lookup median ${msgs.median}`,
  );
  return { hops, success, recall };
}

beforeAll(() => {
  sim = new Simulation({ nodes: NODES, seed: 7 });
  sim.warmTables();
});

afterAll(async () => {
  for (const n of sim.nodes) await n.node.stop();
});

describe(`simulation: ${NODES} nodes over the in-memory transport`, () => {
  it("every lookup of a random id finds the true k closest, median ≤ 4 hops", async () => {
    const runs = await runLookups(LOOKUPS, () => true);
    const r = report("all nodes up", runs);
    expect(runs.filter((x) => !x.exact)).toEqual([]);
    expect(r.hops.median).toBeLessThanOrEqual(4);
  });

  it("lookups still find the closest live node with 10% of nodes dropping all traffic", async () => {
    const dropped = sim.dropShare(0.1);
    const runs = await runLookups(LOOKUPS / 2, (n) => !dropped.has(n));
    const r = report("10% dropping", runs);
    expect(r.success).toBeGreaterThanOrEqual(0.95);
    expect(r.recall).toBeGreaterThanOrEqual(0.9);
  });

  it("and with 25% dropping", async () => {
    const dropped = sim.dropShare(0.25);
    const runs = await runLookups(LOOKUPS / 2, (n) => !dropped.has(n));
    const r = report("25% dropping", runs);
    expect(r.success).toBeGreaterThanOrEqual(0.9);
    expect(r.recall).toBeGreaterThanOrEqual(0.8);
    sim.dropShare(0);
  });
});
