/**
 * Compute benchmarks, each next to its baseline measured in the same run:
 * - sandbox start: a fresh QuickJS runtime + context running `() => 1`, and a sandbox thread's
 *   start (spawn + WebAssembly module load), next to a bare worker thread's start;
 * - sandbox speed vs plain V8 on a CPU-bound function (the same source);
 * - jobs/s of a trivial function through the local scheduler (store, SQLite, pool threads) vs the
 *   same function run directly in one sandbox in this thread;
 * - jobs/s of the same trivial function spread by node0 over a 3-node devnet (jobs on peers through
 *   the gateways), replication 1 and 2, vs the same function run directly in one sandbox;
 * - the sim tier's replication overhead with adaptive replication on and off, over several seeds.
 * Writes bench-results/compute.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { createLogger } from "@p2pnode/kit";
import { benchSetting, benchSettings } from "@p2pnode/kit/testing";
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
// The built service (turbo builds before bench): its threads start from compiled JavaScript, as in a node.
import { defaultComputeOptions } from "../dist/config.js";
import { ComputeCore } from "../dist/core.js";
import { runInSandbox } from "../dist/sandbox/sandbox.js";
import { SandboxPool } from "../dist/sandbox/sandbox-pool.js";
import { runByzantine } from "../test/sim/byzantine.js";
import { devnetJobs } from "./devnet-jobs.js";

const JOBS = benchSetting("BENCH_JOBS", 2_000, { min: 1 });
const SEEDS = benchSettings("BENCH_SEEDS", [21, 22, 23], { min: 0, max: 2 ** 32 - 1 });
/** Jobs per devnet task; 0 skips the devnet section (it needs the CLI built, ~1 min to start). */
const DEVNET_JOBS = benchSetting("BENCH_DEVNET_JOBS", 600, { min: 0 });
const log = createLogger("bench", "silent");
/** The section running now: named if the process ever exits with an unsettled await (code 13). */
let step = "start";
process.on("exit", (code) => {
  if (code !== 0) console.error(`bench: exited with code ${code} during "${step}"`);
});
const qjs = await newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);
const limits = { memoryBytes: 64 << 20, budget: 1e11, deadlineMs: 600_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

// 1. Start times.
step = "sandbox start";
for (let i = 0; i < 20; i++) runInSandbox(qjs, { source: "() => 1", input: "null", limits }); // warm-up
const contextMs = median(
  Array.from({ length: 200 }, () =>
    time(() => runInSandbox(qjs, { source: "() => 1", input: "null", limits })),
  ),
);
async function threadStart(sandbox: boolean): Promise<number> {
  const t = performance.now();
  if (sandbox) {
    const pool = new SandboxPool({ ...defaultComputeOptions.pool, threads: 1 }, { log });
    await pool.run({ source: "() => 1", input: "null", limits });
    const ms = performance.now() - t;
    await pool.stop();
    return ms;
  }
  const w = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
  await new Promise((r) => w.once("message", r));
  const ms = performance.now() - t;
  await w.terminate();
  return ms;
}
const sandboxThreadMs = median([await threadStart(true), await threadStart(true), await threadStart(true)]);
const bareThreadMs = median([await threadStart(false), await threadStart(false), await threadStart(false)]);

// 2. Speed on a CPU-bound function, same source in both.
step = "sandbox vs V8";
const fib = "(n) => { const f = (k) => (k < 2 ? k : f(k - 1) + f(k - 2)); return f(n) }";
const N = 25;
const sandboxFibMs = median(
  [0, 1, 2].map(() => time(() => runInSandbox(qjs, { source: fib, input: String(N), limits }))),
);
const v8fn = new Function(`return (${fib})`)() as (n: number) => number;
const v8FibMs = median([0, 1, 2, 3, 4].map(() => time(() => v8fn(N))));

// 3. Jobs/s: the local scheduler vs one sandbox in this thread.
step = "local scheduler jobs/s";
const directMs = time(() => {
  for (let i = 0; i < JOBS; i++) runInSandbox(qjs, { source: "(x) => x + 1", input: String(i), limits });
});
const core = new ComputeCore(defaultComputeOptions, {
  dataDir: mkdtempSync(join(tmpdir(), "p2pnode-compute-bench-")),
  log,
  dht: { put: async () => 0, get: async () => undefined },
});
core.start();
const fn = await core.register({
  source: "(x) => x + 1",
  limits: { memoryBytes: 64 << 20, budget: 2e9, timeoutMs: 30_000 },
});
await core.submit({ function: fn.hash, inputs: [0], replication: 1, adaptive: true }); // threads up
const t0 = performance.now();
const { task } = await core.submit({
  function: fn.hash,
  inputs: Array.from({ length: JOBS }, (_, i) => i),
  replication: 1,
  adaptive: true,
});
while (core.task({ id: task.id, jobs: false, offset: 0, limit: 1 }).status === "running")
  await new Promise((r) => setTimeout(r, 20));
const schedulerMs = performance.now() - t0;
const threads = core.pool.opts.threads;
await core.stop();

// 4. The same trivial function across a 3-node devnet.
step = "devnet jobs/s";
const devnet = DEVNET_JOBS > 0 ? await devnetJobs(3, DEVNET_JOBS, [1, 2]) : [];

// 5. Replication overhead in the sim tier.
step = "sim replication overhead";
const sims: Awaited<ReturnType<typeof runByzantine>>[] = [];
for (const seed of SEEDS)
  for (const adaptive of [true, false]) {
    step = `sim seed ${seed} adaptive ${adaptive}`;
    sims.push(await runByzantine(seed, adaptive));
  }
const mean = (adaptive: boolean, k: "overhead" | "wrongAccepted") =>
  sims.filter((s) => s.adaptive === adaptive).reduce((a, s) => a + s[k], 0) / SEEDS.length;

const rows: [string, string, string, string][] = [
  ["sandbox context start (runtime+context+run)", `${contextMs.toFixed(2)} ms`, "—", "—"],
  [
    "sandbox thread start (spawn+wasm load+1st job)",
    `${sandboxThreadMs.toFixed(0)} ms`,
    `bare worker thread ${bareThreadMs.toFixed(0)} ms`,
    `${(sandboxThreadMs / bareThreadMs).toFixed(1)}×`,
  ],
  [
    `fib(${N}) in the sandbox`,
    `${sandboxFibMs.toFixed(1)} ms`,
    `plain V8 ${v8FibMs.toFixed(1)} ms`,
    `${(sandboxFibMs / v8FibMs).toFixed(0)}× slower`,
  ],
  [
    `trivial jobs via local scheduler (${threads} threads)`,
    `${((JOBS / schedulerMs) * 1000).toFixed(0)} jobs/s`,
    `one sandbox direct ${((JOBS / directMs) * 1000).toFixed(0)} jobs/s`,
    `${(directMs / schedulerMs).toFixed(2)}`,
  ],
  ...devnet.map((d): [string, string, string, string] => [
    `trivial jobs across a ${d.nodes}-node devnet (r=${d.replication}, ${d.workersUsed} workers)`,
    `${d.jobsPerSecond.toFixed(0)} jobs/s`,
    `one sandbox direct ${((JOBS / directMs) * 1000).toFixed(0)} jobs/s`,
    `${((d.jobsPerSecond * directMs) / JOBS / 1000).toFixed(3)}`,
  ]),
  [
    "sim replication overhead, adaptive on (r=3)",
    `${(mean(true, "overhead") * 100).toFixed(1)} %`,
    `off ${(mean(false, "overhead") * 100).toFixed(1)} %`,
    `wrong accepted ${mean(true, "wrongAccepted") + mean(false, "wrongAccepted")}`,
  ],
];
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad("figure", 60)} ${pad("value", 14)} ${pad("baseline", 30)} ratio`);
for (const r of rows) console.log(`${pad(r[0], 60)} ${pad(r[1], 14)} ${pad(r[2], 30)} ${r[3]}`);
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/compute.json",
  JSON.stringify(
    {
      contextStartMs: contextMs,
      sandboxThreadStartMs: sandboxThreadMs,
      bareThreadStartMs: bareThreadMs,
      fib: { n: N, sandboxMs: sandboxFibMs, v8Ms: v8FibMs, slowdown: sandboxFibMs / v8FibMs },
      jobs: {
        count: JOBS,
        threads,
        schedulerJobsPerSecond: (JOBS / schedulerMs) * 1000,
        directJobsPerSecond: (JOBS / directMs) * 1000,
        ratio: directMs / schedulerMs,
      },
      devnet,
      sim: sims,
    },
    null,
    2,
  ),
);
process.exit(0);
