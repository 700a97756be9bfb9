/**
 * REST `POST /txs` throughput of a real chain service (real NATS, SQLite, VerifyPool) under 10
 * keep-alive connections, next to a trivial route on the same fastify app setup (kit's createApp:
 * same fastify, same hooks) measured in the same run with the same client and the same bodies
 * (DESIGN.md §7; goal ≥ 0.5×). Every request is a real admission: distinct senders funded in
 * genesis, each sender's nonces sent in order, every answer checked to be 202. The two alternate in
 * rounds, so both see the same load on a shared machine. Also prints the process's CPU time per
 * request of each, which waiting for a core on a loaded machine does not distort, and where the
 * chain's requests spent their time, from the service's own /metrics counters (admission: arrival
 * to verdict, verdict to commit, the commits and their size). The same txs also go as codec bytes
 * to `POST /txs/raw` of a second chain service, in the same rounds: the lean edge a wallet that
 * signs the encoding uses (no JSON, no schema), printed beside the headline, which stays JSON.
 *   pnpm --filter @p2pnode/chain bench:rest    (BENCH_REST_ROUND, BENCH_REST_ROUNDS to resize)
 * Prints a table and writes bench-results/rest-submit.json.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { encodeSignedTransaction, type SignedTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { createApp, createLogger } from "@p2pnode/kit";
import {
  benchSetting,
  freePort,
  startTestNode,
  startTestService,
  writeBenchResult,
} from "@p2pnode/kit/testing";
import { type AdmissionStats, emptyAdmissionStats } from "../src/admission.js";
import { chainService } from "../src/api.js";
import { ADMISSION_COUNTERS } from "../src/metrics.js";
import { CHAIN_ID, transfer } from "../test/helpers.js";
import { blockFixture } from "./block-fixture.js";
import { postLoad } from "./http-load.js";
import { taskCpuMs } from "./thread-cpu.js";

const CONNECTIONS = 10;
const WARMUP = 400;
// The service's mempool holds 5,000 txs: warm-up and rounds stay below it, so none is evicted.
const ROUND = benchSetting("BENCH_REST_ROUND", 1_100, { min: 1 });
const ROUNDS = benchSetting("BENCH_REST_ROUNDS", 4, { min: 1 });
if (WARMUP + ROUND * ROUNDS > 5_000) throw new TypeError("rounds exceed the service's mempool (5,000 txs)");

const loadBefore = loadavg();
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);

// Senders funded in genesis; the list is nonce-major (every sender's nonce 0, then nonce 1, ...),
// so a sender's next nonce is sent ~1,000 requests after the one before it.
const { senders, recipient, genesis } = blockFixture("");
const total = WARMUP + ROUND * ROUNDS;
const txs: SignedTransaction[] = [];
for (let n = 0; txs.length < total; n++)
  for (const w of senders) {
    if (txs.length === total) break;
    txs.push(transfer(w, recipient, 1n, n, 2n, CHAIN_ID));
  }
const bodies = txs.map((stx) => JSON.stringify(signedTransactionToJson(stx)));
const rawBodies = txs.map((stx) => encodeSignedTransaction(stx));

const node = await startTestNode("full", {}, { genesis });
const chainPort = await freePort();
const svc = await startTestService(chainService, node, { P2PNODE_CHAIN_PORT: String(chainPort) });
// The raw lane's node: the same genesis, so the same txs are admitted there as bytes.
const rawNode = await startTestNode("full", {}, { genesis });
const rawPort = await freePort();
const rawSvc = await startTestService(chainService, rawNode, { P2PNODE_CHAIN_PORT: String(rawPort) });

const { app: trivial } = await createApp({
  service: "bench",
  version: "0.0.0",
  log: createLogger("bench", "silent"),
});
trivial.post("/txs", async (_req, reply) =>
  reply.status(202).send({ id: "0".repeat(64), status: "pending" }),
);
const trivialPort = await freePort();
await trivial.listen({ host: "127.0.0.1", port: trivialPort });

const run = (port: number, slice: string[] | Uint8Array[], path = "/txs") =>
  postLoad({ port, path, bodies: slice, connections: CONNECTIONS, expect: 202 }).then((r) => {
    const bad = Object.entries(r.statuses).filter(([s]) => s !== "202");
    if (bad.length > 0) throw new TypeError(`port ${port}: ${JSON.stringify(r.statuses)}: ${r.firstError}`);
    return r;
  });

await run(trivialPort, bodies.slice(0, WARMUP));
await run(chainPort, bodies.slice(0, WARMUP));
await run(rawPort, rawBodies.slice(0, WARMUP), "/txs/raw");
let chainSeconds = 0;
let rawSeconds = 0;
let rawCpu = 0;
let trivialSeconds = 0;
// CPU time of this process (server, client thread, verify threads) too: it holds on a loaded
// machine, where the rates swing with what else runs.
let chainCpu = 0;
let trivialCpu = 0;
let chainLoopCpu = 0;
let trivialLoopCpu = 0;
// Bytes this process handed to the file system (Linux's /proc/self/io `write_bytes`: the SQLite
// file and its WAL, not sockets); undefined where the kernel does not count them.
const diskWritten = (): number | undefined => {
  try {
    return Number(/^write_bytes: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1]);
  } catch {
    return undefined;
  }
};
let chainDisk = 0;
// Where the chain's requests spent their time, from the service's own counters (/metrics):
// admission's sums over the txs of the timed rounds only.
const admissionCounters = async (): Promise<AdmissionStats> => {
  const text = await (await fetch(`http://127.0.0.1:${chainPort}/metrics`)).text();
  const out = emptyAdmissionStats();
  for (const { name, field } of ADMISSION_COUNTERS) {
    const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(text);
    if (!m) throw new TypeError(`${name} missing from the chain's /metrics`);
    out[field] = Number(m[1]);
  }
  return out;
};
const admission = emptyAdmissionStats();
// The event loop's share (this thread: the services and the trivial app serve here; the client
// and the verify threads run beside it), NaN where /proc is not there.
const cpuOf = async (measure: () => Promise<{ seconds: number }>) => {
  const before = process.cpuUsage();
  const loopBefore = taskCpuMs("thread-self") ?? Number.NaN;
  const disk = diskWritten();
  const { seconds } = await measure();
  const used = process.cpuUsage(before);
  const loop = ((taskCpuMs("thread-self") ?? Number.NaN) - loopBefore) / 1000;
  return { seconds, cpu: (used.user + used.system) / 1e6, loop, disk: (diskWritten() ?? 0) - (disk ?? 0) };
};
for (let r = 0; r < ROUNDS; r++) {
  const slice = bodies.slice(WARMUP + r * ROUND, WARMUP + (r + 1) * ROUND);
  const t = await cpuOf(() => run(trivialPort, slice));
  const before = await admissionCounters();
  const c = await cpuOf(() => run(chainPort, slice));
  const after = await admissionCounters();
  for (const { field } of ADMISSION_COUNTERS) admission[field] += after[field] - before[field];
  trivialSeconds += t.seconds;
  trivialCpu += t.cpu;
  trivialLoopCpu += t.loop;
  chainSeconds += c.seconds;
  chainCpu += c.cpu;
  chainLoopCpu += c.loop;
  chainDisk += c.disk;
  const raw = await cpuOf(() =>
    run(rawPort, rawBodies.slice(WARMUP + r * ROUND, WARMUP + (r + 1) * ROUND), "/txs/raw"),
  );
  rawSeconds += raw.seconds;
  rawCpu += raw.cpu;
}
await trivial.close();
await svc.stop();
await node.stop();
await rawSvc.stop();
await rawNode.stop();

const chainRate = (ROUND * ROUNDS) / chainSeconds;
const trivialRate = (ROUND * ROUNDS) / trivialSeconds;
const ratio = chainRate / trivialRate;
const rawRate = (ROUND * ROUNDS) / rawSeconds;
const rawRatio = rawRate / trivialRate;
const cpuMicros = {
  chain: (chainCpu * 1e6) / (ROUND * ROUNDS),
  trivial: (trivialCpu * 1e6) / (ROUND * ROUNDS),
  raw: (rawCpu * 1e6) / (ROUND * ROUNDS),
  chainLoop: (chainLoopCpu * 1e6) / (ROUND * ROUNDS),
  trivialLoop: (trivialLoopCpu * 1e6) / (ROUND * ROUNDS),
};
const admitted = admission.txs;
const commits = admission.commits;
const perTxMs = (n: number) => (admitted > 0 ? (n * 1000) / admitted : Number.NaN);
const stages = {
  verifyMsPerTx: perTxMs(admission.verifySeconds),
  waitMsPerTx: perTxMs(admission.waitSeconds),
  commitMsPerGroup: commits > 0 ? (admission.commitSeconds * 1000) / commits : Number.NaN,
  txsPerCommit: commits > 0 ? admitted / commits : Number.NaN,
};
const bodyBytes = Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length);
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: [string, string, string][] = [
  [`trivial fastify route, ${CONNECTIONS} connections`, fmt(trivialRate), "req/s"],
  [`chain POST /txs (202, admitted), ${CONNECTIONS} connections`, fmt(chainRate), "req/s"],
  ["  POST /txs / trivial route (goal ≥ 0.5)", fmt(ratio, 2), "x"],
  ["CPU per request, trivial route (server + client + verify threads)", fmt(cpuMicros.trivial), "µs"],
  ["CPU per request, chain POST /txs", fmt(cpuMicros.chain), "µs"],
  [
    "  of it on the event loop (the server's thread), trivial / chain",
    Number.isNaN(cpuMicros.chainLoop) ? "n/a" : `${fmt(cpuMicros.trivialLoop)} / ${fmt(cpuMicros.chainLoop)}`,
    "µs",
  ],
  [`chain POST /txs/raw (codec bytes, 202), ${CONNECTIONS} connections`, fmt(rawRate), "req/s"],
  ["  POST /txs/raw / trivial route", fmt(rawRatio, 2), "x"],
  ["CPU per request, chain POST /txs/raw", fmt(cpuMicros.raw), "µs"],
  ["per admitted tx, arrival to signature verdict (VerifyPool)", fmt(stages.verifyMsPerTx, 2), "ms"],
  ["per admitted tx, verdict to its group's commit", fmt(stages.waitMsPerTx, 2), "ms"],
  ["per mempool commit (pool rows, COMMIT, fsync)", fmt(stages.commitMsPerGroup, 2), "ms"],
  ["txs per mempool commit", fmt(stages.txsPerCommit, 1), ""],
  [
    "bytes written to disk per admitted tx (mempool rows, WAL)",
    diskWritten() === undefined ? "n/a" : fmt(chainDisk / (ROUND * ROUNDS)),
    "B",
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`body ${bodyBytes} bytes, ${ROUNDS} rounds of ${ROUND} requests each`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(10)} ${unit}`);
const loadAfter = loadavg();
console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`);
writeBenchResult(
  "rest-submit",
  {
    loadavg: { before: loadBefore, after: loadAfter },
    connections: CONNECTIONS,
    requests: ROUND * ROUNDS,
    bodyBytes,
    figures: {
      rest_post_txs_per_s: chainRate,
      trivial_route_per_s: trivialRate,
      rest_post_txs_raw_per_s: rawRate,
    },
    cpuMicrosPerRequest: cpuMicros,
    diskBytesPerTx: chainDisk / (ROUND * ROUNDS),
    admissionStages: stages,
    ratios: { restOverTrivial: ratio, rawOverTrivial: rawRatio },
  },
  [
    {
      figure: `REST POST /txs, ${CONNECTIONS} connections`,
      value: chainRate,
      unit: "req/s",
      baseline: "trivial fastify route",
      baselineValue: trivialRate,
      ratio,
      goal: 0.5,
      higherIsBetter: true,
    },
    // Beside the figure (JSON, above), not instead of it: a wallet's codec bytes.
    {
      figure: `REST POST /txs/raw (codec bytes), ${CONNECTIONS} connections`,
      value: rawRate,
      unit: "req/s",
      baseline: "trivial fastify route",
      baselineValue: trivialRate,
      ratio: rawRatio,
      goal: 0.5,
      higherIsBetter: true,
    },
  ],
);
