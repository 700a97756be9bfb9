/**
 * STARK benchmark: prove/verify time and proof size per trace size (single thread), proving
 * throughput with a worker pool, and the primitives next to baselines measured in the same run
 * (field multiply vs a plain JS number multiply, SHA-256 compression vs node:crypto per call),
 * and the 2-input/2-output shielded spend proved with and without zero knowledge (same AIR, same
 * witness, same run). Prints tables and writes bench-results/stark.json.
 * Env: BENCH_SIZES=10,12,14,16 (log2 rows of the hash chain; empty to skip), BENCH_SPEND_REPS=5,
 * BENCH_POOL_LOG=14, BENCH_POOL_JOBS=4 (0 to skip), BENCH_OUT=stark.json.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  DEFAULT_PARAMS,
  decodeProof,
  encodeProof,
  mul,
  P,
  prove,
  RescueChainAir,
  rescueChainTrace,
  SpendAir,
  type StarkParams,
  securityOf,
  spendTrace,
  verify,
  ZK_PARAMS,
} from "../src/index.js";
import { compress, SHA256_IV } from "../src/sha256.js";
import { payment } from "../test/spend-fixture.js";

const sizes = (process.env.BENCH_SIZES ?? "10,12,14,16").split(",").filter(Boolean).map(Number);
const results: Record<string, unknown> = {
  machine: { cores: availableParallelism(), node: process.version },
};

function rate(fn: (n: number) => number, n: number): number {
  fn(Math.min(n, 100_000)); // warm up
  const t = performance.now();
  fn(n);
  return n / ((performance.now() - t) / 1000);
}

// --- primitives vs baselines --------------------------------------------------------------
const fieldMul = rate((n) => {
  let x = 123456789;
  const y = 987654321;
  for (let i = 0; i < n; i++) x = mul(x, y);
  return x;
}, 20_000_000);
const plainMul = rate((n) => {
  let x = 1.000001;
  for (let i = 0; i < n; i++) x = x * 1.0000001;
  return x;
}, 20_000_000);
const bigMul = rate((n) => {
  let x = 123456789n;
  const p = BigInt(P);
  for (let i = 0; i < n; i++) x = (x * 987654321n) % p;
  return Number(x);
}, 2_000_000);
const block = new Uint32Array(16).fill(7);
const out = new Uint32Array(8);
const compressRate = rate((n) => {
  for (let i = 0; i < n; i++) {
    block[0] = i;
    compress(SHA256_IV, 0, block, 0, out, 0);
  }
  return out[0]!;
}, 1_000_000);
const buf = Buffer.alloc(64, 7);
const nodeHashRate = rate((n) => {
  for (let i = 0; i < n; i++) {
    buf[0] = i & 255;
    createHash("sha256").update(buf).digest();
  }
  return 0;
}, 300_000);
results.primitives = {
  fieldMulPerSec: Math.round(fieldMul),
  plainJsMulPerSec: Math.round(plainMul),
  bigintFieldMulPerSec: Math.round(bigMul),
  fieldVsPlainRatio: +(fieldMul / plainMul).toFixed(3),
  sha256CompressPerSec: Math.round(compressRate),
  nodeCryptoSha256_64BPerSec: Math.round(nodeHashRate),
};

// --- prove / verify per size -------------------------------------------------------------
interface Row {
  logRows: number;
  rows: number;
  hashes: number;
  traceMs: number;
  proveMs: number;
  verifyMs: number;
  proofBytes: number;
  conjecturedBits: number;
  provenBits: number;
  phases: Record<string, number>;
}
const rows: Row[] = [];
for (const log of sizes) {
  const hashes = 2 ** (log - 3) - 1;
  let t = performance.now();
  const { trace, digest } = rescueChainTrace([1, 2, 3, 4], hashes);
  const traceMs = performance.now() - t;
  const air = new RescueChainAir({ hashes, digest });
  const phases: Record<string, number> = {};
  t = performance.now();
  const proof = prove(air, trace, { onPhase: (p, ms) => (phases[p] = Math.round(ms)) });
  const proveMs = performance.now() - t;
  const bytes = encodeProof(proof);
  const decoded = decodeProof(bytes);
  verify(air, decoded); // warm
  const reps = 5;
  t = performance.now();
  for (let i = 0; i < reps; i++) verify(air, decodeProof(bytes));
  const verifyMs = (performance.now() - t) / reps;
  const sec = securityOf(DEFAULT_PARAMS, {
    logTraceLength: log,
    constraintDegree: air.constraintDegree,
    numConstraints: air.numTransitionConstraints + air.boundary.length,
    width: air.width,
  });
  rows.push({
    logRows: log,
    rows: 2 ** log,
    hashes,
    traceMs: Math.round(traceMs),
    proveMs: Math.round(proveMs),
    verifyMs: +verifyMs.toFixed(1),
    proofBytes: bytes.length,
    conjecturedBits: sec.conjecturedBits,
    provenBits: sec.provenBits,
    phases,
  });
}
results.params = DEFAULT_PARAMS;
results.rescueChain = rows;

// --- shielded spend: ZK vs plain, same AIR and witness ------------------------------------
/** Wall and CPU milliseconds of fn (CPU time is what one thread spent, even on a loaded machine). */
function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const wallMs = performance.now() - t;
  const d = process.cpuUsage(c);
  return { value, wallMs, cpuMs: (d.user + d.system) / 1000 };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spendReps = Number(process.env.BENCH_SPEND_REPS ?? 5);
const { trace: spendRows, statement: spendStatement } = spendTrace(payment());
const spendAir = new SpendAir(spendStatement);
interface SpendRow {
  zk: boolean;
  proveMs: number;
  proveCpuMs: number;
  verifyMs: number;
  verifyCpuMs: number;
  proofBytes: number;
  conjecturedBits: number;
  provenBits: number;
}
// The two modes alternate rep by rep, after a warm-up of both, so neither gets a colder JIT.
const modes = [DEFAULT_PARAMS, ZK_PARAMS] as StarkParams[];
for (let i = 0; i < 2; i++) for (const params of modes) prove(spendAir, spendRows, { params });
const proveTimes = modes.map(() => [] as { wallMs: number; cpuMs: number }[]);
const spendBytes: Uint8Array[] = [];
for (let rep = 0; rep < spendReps; rep++)
  modes.forEach((params, m) => {
    const run = timed(() => prove(spendAir, spendRows, { params }));
    proveTimes[m]!.push(run);
    spendBytes[m] ??= encodeProof(run.value);
  });
const verifyTimes = modes.map(() => [] as { wallMs: number; cpuMs: number }[]);
for (let rep = 0; rep < 15; rep++)
  modes.forEach((_, m) => {
    const run = timed(() => verify(spendAir, decodeProof(spendBytes[m]!)));
    if (rep >= 5) verifyTimes[m]!.push(run); // the first five warm the verifier
  });
const spendRowsOut: SpendRow[] = modes.map((params, m) => {
  const sec = securityOf(params, {
    logTraceLength: Math.log2(spendAir.traceLength),
    constraintDegree: spendAir.constraintDegree,
    numConstraints: spendAir.numTransitionConstraints,
    width: spendAir.width,
  });
  return {
    zk: params.zk,
    proveMs: Math.round(median(proveTimes[m]!.map((p) => p.wallMs))),
    proveCpuMs: Math.round(median(proveTimes[m]!.map((p) => p.cpuMs))),
    verifyMs: +median(verifyTimes[m]!.map((v) => v.wallMs)).toFixed(1),
    verifyCpuMs: +median(verifyTimes[m]!.map((v) => v.cpuMs)).toFixed(1),
    proofBytes: spendBytes[m]!.length,
    conjecturedBits: sec.conjecturedBits,
    provenBits: sec.provenBits,
  };
});
const [plainSpend, zkSpend] = spendRowsOut as [SpendRow, SpendRow];
results.spend = {
  air: spendAir.id,
  rows: spendAir.traceLength,
  width: spendAir.width,
  constraints: spendAir.numTransitionConstraints,
  reps: spendReps,
  plain: plainSpend,
  zk: zkSpend,
  zkOverPlainProve: +(zkSpend.proveCpuMs / plainSpend.proveCpuMs).toFixed(2),
  zkOverPlainBytes: +(zkSpend.proofBytes / plainSpend.proofBytes).toFixed(2),
  goals: { proveMs: 1000, proofBytes: 90 * 1024, verifyMs: 25 },
};

// --- worker pool throughput --------------------------------------------------------------
const poolLog = Number(process.env.BENCH_POOL_LOG ?? 14);
const poolJobs = Number(process.env.BENCH_POOL_JOBS ?? 4);
const poolWorkers = Math.max(1, Math.min(poolJobs, availableParallelism()));
const jobCode = `
const { parentPort } = require("node:worker_threads");
import("tsx/esm/api").then(async (m) => {
  m.register();
  const s = await import(${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)});
  parentPort.on("message", (hashes) => {
    const { trace, digest } = s.rescueChainTrace([1, 2, 3, 4], hashes);
    const proof = s.prove(new s.RescueChainAir({ hashes, digest }), trace);
    parentPort.postMessage(s.encodeProof(proof).length);
  });
  parentPort.postMessage("ready");
});`;
/** Proves poolJobs chains sequentially, then in worker threads (skipped with BENCH_POOL_JOBS=0). */
async function poolBench(): Promise<Record<string, number>> {
  const workers = await Promise.all(
    Array.from({ length: poolWorkers }, async () => {
      const w = new Worker(jobCode, { eval: true, execArgv: ["--conditions=source"] });
      await new Promise((r) => w.once("message", r));
      return w;
    }),
  );
  const poolHashes = 2 ** (poolLog - 3) - 1;
  let t = performance.now();
  const seq = (() => {
    const { trace, digest } = rescueChainTrace([1, 2, 3, 4], poolHashes);
    const air = new RescueChainAir({ hashes: poolHashes, digest });
    for (let i = 0; i < poolJobs; i++) prove(air, trace);
    return performance.now() - t;
  })();
  t = performance.now();
  let next = 0;
  await Promise.all(
    workers.map(async (w) => {
      while (next < poolJobs) {
        next++;
        await new Promise((r) => {
          w.once("message", r);
          w.postMessage(poolHashes);
        });
      }
    }),
  );
  const par = performance.now() - t;
  await Promise.all(workers.map((w) => w.terminate()));
  return {
    logRows: poolLog,
    jobs: poolJobs,
    workers: poolWorkers,
    sequentialMs: Math.round(seq),
    poolMs: Math.round(par),
    sequentialProofsPerSec: +((poolJobs * 1000) / seq).toFixed(2),
    poolProofsPerSec: +((poolJobs * 1000) / par).toFixed(2),
    speedup: +(seq / par).toFixed(2),
  };
}
if (poolJobs > 0) results.pool = await poolBench();

// --- report ------------------------------------------------------------------------------
const pr = results.primitives as Record<string, number>;
console.log(
  `\nfield mul: ${(pr.fieldMulPerSec! / 1e6).toFixed(1)} M/s | plain JS mul: ${(pr.plainJsMulPerSec! / 1e6).toFixed(1)} M/s | ratio ${pr.fieldVsPlainRatio} | BigInt: ${(pr.bigintFieldMulPerSec! / 1e6).toFixed(1)} M/s`,
);
console.log(
  `SHA-256 compression: ${(pr.sha256CompressPerSec! / 1e6).toFixed(2)} M/s | node:crypto per 64-byte call: ${(pr.nodeCryptoSha256_64BPerSec! / 1e6).toFixed(2)} M/s\n`,
);
console.log("rows    hashes  trace ms  prove ms  verify ms  proof KB  conj. bits  proven bits");
for (const r of rows)
  console.log(
    `2^${r.logRows}`.padEnd(8) +
      String(r.hashes).padStart(6) +
      String(r.traceMs).padStart(10) +
      String(r.proveMs).padStart(10) +
      String(r.verifyMs).padStart(11) +
      (r.proofBytes / 1024).toFixed(1).padStart(10) +
      String(r.conjecturedBits).padStart(12) +
      String(r.provenBits).padStart(13),
  );
const pool = results.pool as Record<string, number> | undefined;
if (pool)
  console.log(
    `\npool: ${pool.jobs} proofs of 2^${pool.logRows} rows: sequential ${pool.sequentialMs} ms, ${pool.workers} workers ${pool.poolMs} ms (x${pool.speedup})`,
  );
console.log(
  `\nspend 2-in/2-out (${spendAir.traceLength} rows x ${spendAir.width} columns, ${spendAir.numTransitionConstraints} constraints), median of ${spendReps} proofs and 10 verifications:`,
);
console.log("mode    prove ms (cpu)   verify ms (cpu)   proof KB  conj. bits  proven bits");
for (const r of spendRowsOut)
  console.log(
    (r.zk ? "zk" : "plain").padEnd(8) +
      `${r.proveMs} (${r.proveCpuMs})`.padStart(14) +
      `${r.verifyMs} (${r.verifyCpuMs})`.padStart(18) +
      (r.proofBytes / 1024).toFixed(1).padStart(11) +
      String(r.conjecturedBits).padStart(12) +
      String(r.provenBits).padStart(13),
  );
console.log(
  `zk/plain: prove x${(results.spend as Record<string, number>).zkOverPlainProve}, size x${(results.spend as Record<string, number>).zkOverPlainBytes}; goals: prove <= 1000 ms, proof <= 90 KB, verify <= 25 ms`,
);
const last = rows[rows.length - 1];
if (last) console.log(`phases at 2^${last.logRows}:`, JSON.stringify(last.phases));
const dir = new URL("../bench-results/", import.meta.url);
const outName = process.env.BENCH_OUT ?? "stark.json";
mkdirSync(dir, { recursive: true });
writeFileSync(new URL(outName, dir), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${new URL(outName, dir).pathname}`);
