/**
 * Miner hashrate next to raw SHA-256 loops over the same 176-byte header, in the same run: the
 * miner with N workers against N raw loops running at once on N threads (N = 1, 2). The four
 * measurements alternate in rounds, so each sees the same load on a shared machine.
 *
 * Like for like: both sides are measured the same way, by the main thread over one wall-clock
 * window that opens once every thread has reported its first slice of hashes (thread start-up,
 * seconds on a loaded machine, is not hashing), and both are charged the CPU time of the whole
 * process over that window — the miner's main thread (progress messages, hashrate) included.
 * Two figures per pair: hashes per wall-clock second (what the machine's scheduler gave each
 * side: noisy under load) and hashes per CPU-second of the process (the work done per hash:
 * little moved by load). Goal: 2 workers ≥ 0.9× of two raw loops.
 *   pnpm --filter @p2pnode/miner bench    (BENCH_SECONDS per measurement, default 3; BENCH_ROUNDS, default 5)
 */
import { loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { encodeHeader, headerToJson } from "@p2pnode/codec";
import { createLogger } from "@p2pnode/kit";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { Miner } from "../src/miner.js";

const SECONDS = benchSetting("BENCH_SECONDS", 3, { min: 0.1, integer: false });
const ROUNDS = benchSetting("BENCH_ROUNDS", 5, { min: 1 });
/** The miner's slice; a raw loop reports its count as often, so both windows open alike. */
const SLICE = 20_000;
const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const header = {
  version: 1,
  height: 1,
  prevHash: new Uint8Array(32).fill(1),
  txRoot: new Uint8Array(32).fill(2),
  stateRoot: new Uint8Array(32),
  timestamp: Date.now(),
  target: new Uint8Array(32), // unminable: measures pure search speed
  miner: new Uint8Array(20).fill(3),
  nonce: 0n,
};
const bytes = encodeHeader(header);

/**
 * The baseline: the bare loop a miner cannot beat (set the nonce, hash), on its own thread. It
 * publishes its count after every slice in its own 64-byte slot of shared memory (one writer per
 * cache line), which the main thread reads without waking it.
 */
const RAW_LOOP = `
const { hash } = require("node:crypto");
const { workerData } = require("node:worker_threads");
// In a function: its locals compile to registers, where top-level script bindings would not.
function run(counts, slot, header) {
  const buf = Buffer.from(header);
  let n = 0;
  for (;;) {
    for (let i = 0; i < ${SLICE}; i++) {
      buf.writeUInt32BE(n++ >>> 0, 172);
      hash("sha256", buf, "buffer");
    }
    counts[slot] = n;
  }
}
// At the miner's own thread priority (the built src/thread-priority.ts), so a loaded machine
// weighs both alike.
import(workerData.priority).then((p) => {
  p.lowerThreadPriority();
  run(new Float64Array(workerData.counts), workerData.slot, workerData.header);
});
`;
/** The built priority rule the hash workers run (the bench, like the miner's workers, needs dist/). */
const PRIORITY_MODULE = new URL("../dist/thread-priority.js", import.meta.url).href;

interface Measured {
  /** Hashes per wall-clock second. */
  rate: number;
  /** Hashes per CPU-second of the whole process (all its threads). */
  perCpuSecond: number;
  /** From starting the threads to every thread's first slice. */
  startMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts `hashes()` over `ms` once `ready()`, with the process's CPU time over the same window. */
async function window(ms: number, ready: () => boolean, hashes: () => number): Promise<Measured> {
  const started = performance.now();
  while (!ready()) await sleep(10);
  const startMs = performance.now() - started;
  const [h0, c0, t0] = [hashes(), process.cpuUsage(), performance.now()];
  await sleep(ms);
  const [h1, c, t1] = [hashes(), process.cpuUsage(c0), performance.now()];
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { rate: ((h1 - h0) * 1000) / (t1 - t0), perCpuSecond: (h1 - h0) / cpuSeconds, startMs };
}

async function rawLoops(threads: number, ms: number): Promise<Measured> {
  const counts = new Float64Array(new SharedArrayBuffer(64 * threads));
  const slots = Array.from({ length: threads }, (_, i) => i * 8);
  const workers = slots.map(
    (slot) =>
      new Worker(RAW_LOOP, {
        eval: true,
        workerData: { counts: counts.buffer, slot, header: bytes, priority: PRIORITY_MODULE },
      }),
  );
  try {
    return await window(
      ms,
      () => slots.every((s) => counts[s]! > 0),
      () => slots.reduce((sum, s) => sum + counts[s]!, 0),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function miner(workers: number, ms: number): Promise<Measured> {
  const m = new Miner(
    { workers, address: "03".repeat(20), sliceSize: SLICE, refreshMs: 3_600_000 },
    {
      log: createLogger("bench", "silent"),
      chain: {
        template: async () => ({
          header: headerToJson(header),
          txs: [],
          headerHex: Buffer.from(bytes).toString("hex"),
          templateId: "bench",
        }),
        submit: async () => {
          throw new Error("unreachable: target is zero");
        },
      },
    },
  );
  m.start();
  try {
    return await window(
      ms,
      () => m.status().workersHashing === workers,
      () => m.status().hashes,
    );
  } finally {
    await m.stop();
  }
}

const loadBefore = load();
const runs = {
  raw1: [] as Measured[],
  raw2: [] as Measured[],
  miner1: [] as Measured[],
  miner2: [] as Measured[],
};
for (let r = 0; r < ROUNDS; r++) {
  runs.raw2.push(await rawLoops(2, SECONDS * 1000));
  runs.miner2.push(await miner(2, SECONDS * 1000));
  runs.raw1.push(await rawLoops(1, SECONDS * 1000));
  runs.miner1.push(await miner(1, SECONDS * 1000));
}
const loadAfter = load();

const mean = (xs: Measured[], k: keyof Measured) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
const pairs = [
  { figure: "miner, 2 workers", baseline: "2 raw SHA-256 loops", miner: runs.miner2, raw: runs.raw2 },
  { figure: "miner, 1 worker", baseline: "1 raw SHA-256 loop", miner: runs.miner1, raw: runs.raw1 },
];
const fmt = (x: number) => `${(x / 1e6).toFixed(3)} MH/s`;
console.log(
  `${"figure".padEnd(18)} ${"rate".padEnd(12)} ${"baseline".padEnd(34)} ratio  per CPU-s ratio  start ms (miner, raw)`,
);
const figures: Record<string, unknown> = {};
for (const p of pairs) {
  const [rate, rawRate] = [mean(p.miner, "rate"), mean(p.raw, "rate")];
  const [cpu, rawCpu] = [mean(p.miner, "perCpuSecond"), mean(p.raw, "perCpuSecond")];
  const rounds = p.miner.map((m, i) => Number((m.rate / p.raw[i]!.rate).toFixed(2)));
  console.log(
    `${p.figure.padEnd(18)} ${fmt(rate).padEnd(12)} ${`${p.baseline} = ${fmt(rawRate)}`.padEnd(34)} ${(rate / rawRate).toFixed(2)}   ${(cpu / rawCpu).toFixed(2)}             ${Math.round(mean(p.miner, "startMs"))}, ${Math.round(mean(p.raw, "startMs"))}`,
  );
  console.log(`${"".padEnd(18)} ratio per round: ${rounds.join(", ")}`);
  figures[p.figure] = {
    hashesPerSecond: rate,
    baselineHashesPerSecond: rawRate,
    ratio: rate / rawRate,
    ratioPerRound: rounds,
    hashesPerCpuSecond: cpu,
    baselineHashesPerCpuSecond: rawCpu,
    ratioPerCpuSecond: cpu / rawCpu,
  };
}
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(", ")}; after ${loadAfter.join(", ")}`);
const two = pairs[0]!;
const [twoRate, twoRaw] = [mean(two.miner, "rate"), mean(two.raw, "rate")];
writeBenchResult(
  "miner-hashrate",
  { seconds: SECONDS, rounds: ROUNDS, loadavg: { before: loadBefore, after: loadAfter }, figures },
  [
    {
      figure: two.figure,
      value: twoRate,
      unit: "hashes/s",
      baseline: two.baseline,
      baselineValue: twoRaw,
      ratio: twoRate / twoRaw,
      goal: 0.9,
      higherIsBetter: true,
    },
  ],
);
