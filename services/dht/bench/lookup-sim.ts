/**
 * Lookup latency and messages per lookup in the 1,000-node simulation (the service's own DhtNode
 * over the in-memory transport, virtual time), with 0%, 10% and 25% of nodes dropping all traffic,
 * plus the cost of real joins. Baselines measured in the same run: one datagram's sign + verify on
 * this machine (the CPU floor of a message) and the mean round trip of the simulated links (the
 * latency floor of one hop). Prints a table and writes bench-results/dht-lookup-sim.json.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { benchSetting } from "@p2pnode/kit/testing";
import { distribution, type SimNode, Simulation } from "../src/simulation.js";

const NODES = benchSetting("BENCH_NODES", 1000, { min: 1 });
const LOOKUPS = benchSetting("BENCH_LOOKUPS", 500, { min: 1 });
const JOIN_NODES = benchSetting("BENCH_JOIN_NODES", 100, { min: 1 });
const K = 20;

function cryptoBaselineMs(): number {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const key = createPublicKey(publicKey.export({ format: "pem", type: "spki" }));
  const data = Buffer.alloc(300, 1);
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) verify(null, data, key, sign(null, data, privateKey));
  return (performance.now() - t0) / n;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function scenario(sim: Simulation, share: number) {
  const dropped = sim.dropShare(share);
  const alive = (n: SimNode) => !dropped.has(n);
  const live = sim.nodes.filter(alive);
  const rows: {
    hops: number;
    messages: number;
    virtualMs: number;
    cpuMs: number;
    found: boolean;
    recall: number;
  }[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const from = sim.pick(live);
    const target = sim.randomId();
    const m = await sim.lookup(from, target);
    const truth = sim.trueClosest(target, K, from, alive).map((s) => s.node.selfIdHex);
    const got = m.result.closest.map((p) => p.idHex);
    rows.push({
      hops: m.result.hops,
      messages: m.messages,
      virtualMs: m.virtualMs,
      cpuMs: m.cpuMs,
      found: got[0] === truth[0],
      recall: got.filter((id) => truth.includes(id)).length / K,
    });
  }
  sim.dropShare(0);
  const hops = distribution(rows.map((r) => r.hops));
  return {
    droppingShare: share,
    lookups: LOOKUPS,
    hops,
    successRate: rows.filter((r) => r.found).length / rows.length,
    exactKClosestRate: rows.filter((r) => r.recall === 1).length / rows.length,
    meanRecall: mean(rows.map((r) => r.recall)),
    messagesPerLookup: {
      mean: mean(rows.map((r) => r.messages)),
      median: pct(
        rows.map((r) => r.messages),
        0.5,
      ),
      p90: pct(
        rows.map((r) => r.messages),
        0.9,
      ),
    },
    latencyMs: {
      median: pct(
        rows.map((r) => r.virtualMs),
        0.5,
      ),
      p90: pct(
        rows.map((r) => r.virtualMs),
        0.9,
      ),
    },
    cpuMsPerLookup: mean(rows.map((r) => r.cpuMs)),
  };
}

const cryptoMs = cryptoBaselineMs();
const sim = new Simulation({ nodes: NODES, seed: 11 });
const t0 = performance.now();
sim.warmTables();
const warmMs = performance.now() - t0;
// mean one-way delay of a simulated link is the mean access delay of two ends: 2 × 22.5 ms
const linkRttMs = 2 * 2 * 22.5;
const results = [];
for (const share of [0, 0.1, 0.25]) results.push(await scenario(sim, share));

const join = new Simulation({ nodes: JOIN_NODES, seed: 12 });
const j0 = join.network.counters.sent;
const jt = performance.now();
await join.joinAll();
const joinMessagesPerNode = (join.network.counters.sent - j0) / (JOIN_NODES - 1);
const joinCpuMsPerNode = (performance.now() - jt) / (JOIN_NODES - 1);

const rows = results.map((r) => [
  `${(r.droppingShare * 100).toFixed(0)}%`,
  `${r.hops.median} / ${r.hops.p90} / ${r.hops.max}`,
  `${(r.successRate * 100).toFixed(1)}%`,
  `${(r.exactKClosestRate * 100).toFixed(1)}%`,
  `${r.messagesPerLookup.median} (${r.messagesPerLookup.mean.toFixed(1)})`,
  `${r.latencyMs.median.toFixed(0)} / ${r.latencyMs.p90.toFixed(0)} ms`,
  `${(r.latencyMs.median / linkRttMs).toFixed(1)} RTT`,
  `${r.cpuMsPerLookup.toFixed(1)} ms`,
  `${(r.messagesPerLookup.mean * cryptoMs).toFixed(1)} ms`,
]);
const header = [
  "dropping",
  "hops med/p90/max",
  "closest found",
  "exact k",
  "msgs med (mean)",
  "latency med/p90",
  "in link RTTs",
  "cpu/lookup",
  "crypto floor",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
console.log(
  `dht lookups: ${NODES} nodes, k=${K}, alpha=3, ${LOOKUPS} lookups per row (tables warmed in ${warmMs.toFixed(0)} ms)\n`,
);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
console.log(`\nhop histogram (all up): ${JSON.stringify(results[0]!.hops.histogram)}`);
console.log(
  `baselines: sign+verify of one datagram ${(cryptoMs * 1000).toFixed(0)} µs; simulated link RTT ${linkRttMs} ms`,
);
console.log(
  `join: ${JOIN_NODES} nodes one by one through one bootnode: ${joinMessagesPerNode.toFixed(0)} datagrams and ${joinCpuMsPerNode.toFixed(0)} ms CPU per join`,
);

mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/dht-lookup-sim.json",
  JSON.stringify(
    {
      nodes: NODES,
      k: K,
      alpha: 3,
      scenarios: results,
      baselines: { signVerifyMsPerDatagram: cryptoMs, simulatedLinkRttMs: linkRttMs },
      join: { nodes: JOIN_NODES, datagramsPerJoin: joinMessagesPerNode, cpuMsPerJoin: joinCpuMsPerNode },
    },
    null,
    2,
  ),
);
for (const n of [...sim.nodes, ...join.nodes]) await n.node.stop();
