/**
 * Miner hashrate next to raw SHA-256 loops over the same 176-byte header, in the same run:
 * the miner with N workers against N raw loops running at once on N threads (N = 1, 2). The
 * four measurements alternate in rounds, so each sees the same load on a shared machine.
 * Goal: 2 workers ≥ 0.9× of two raw loops. Prints the figures, ratios and load average;
 * writes bench-results/miner-hashrate.json.
 *   pnpm --filter @p2pnode/miner bench    (BENCH_SECONDS per measurement, BENCH_ROUNDS)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { encodeHeader, headerToJson } from "@p2pnode/codec";
import { createLogger } from "@p2pnode/kit";
import { Miner } from "../src/miner.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

/** The baseline: the bare loop a miner cannot beat (set the nonce, hash), on its own thread. */
const RAW_LOOP = `
const { hash } = require("node:crypto");
const { parentPort, workerData } = require("node:worker_threads");
function run(header, ms) {
  const buf = Buffer.from(header);
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 10000; i++) {
      buf.writeUInt32BE(n++ >>> 0, 172);
      hash("sha256", buf, "buffer");
    }
  }
  return n / ((performance.now() - start) / 1000);
}
run(workerData.header, 200); // warm-up: compiled before it is measured, as the miner's loop is
parentPort.postMessage(run(workerData.header, workerData.ms));
`;

/** N raw loops at once; their rates summed. */
async function rawRate(threads: number, ms: number): Promise<number> {
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(RAW_LOOP, { eval: true, workerData: { header: bytes, ms } });
          w.once("message", (rate: number) => {
            resolve(rate);
            void w.terminate();
          });
          w.once("error", reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

async function minerRate(workers: number, ms: number): Promise<number> {
  const miner = new Miner(
    { workers, address: "03".repeat(20), sliceSize: 20_000, refreshMs: 3_600_000 },
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
  miner.start();
  await new Promise((r) => setTimeout(r, 500)); // threads up and hashing
  const h0 = miner.status().hashes;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const rate = ((miner.status().hashes - h0) * 1000) / (performance.now() - t0);
  await miner.stop();
  return rate;
}

const loadBefore = load();
const sums = { raw1: 0, raw2: 0, miner1: 0, miner2: 0 };
for (let r = 0; r < ROUNDS; r++) {
  sums.raw2 += await rawRate(2, SECONDS * 1000);
  sums.miner2 += await minerRate(2, SECONDS * 1000);
  sums.raw1 += await rawRate(1, SECONDS * 1000);
  sums.miner1 += await minerRate(1, SECONDS * 1000);
}
const loadAfter = load();
const [raw1, raw2, one, two] = [sums.raw1, sums.raw2, sums.miner1, sums.miner2].map((s) => s / ROUNDS) as [
  number,
  number,
  number,
  number,
];
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} MH/s`;
const rows: [string, string, string, string][] = [
  [
    "miner, 2 workers (goal ≥ 0.9)",
    fmt(two),
    `2 raw loops on 2 threads = ${fmt(raw2)}`,
    (two / raw2).toFixed(2),
  ],
  ["miner, 1 worker", fmt(one), `1 raw loop on 1 thread = ${fmt(raw1)}`, (one / raw1).toFixed(2)],
];
console.log(`${"figure".padEnd(30)} ${"value".padEnd(12)} ${"baseline".padEnd(40)} ratio`);
for (const [a, b, c, d] of rows) console.log(`${a.padEnd(30)} ${b.padEnd(12)} ${c.padEnd(40)} ${d}`);
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(", ")}; after ${loadAfter.join(", ")}`);
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/miner-hashrate.json",
  `${JSON.stringify(
    {
      when: new Date().toISOString(),
      seconds: SECONDS,
      rounds: ROUNDS,
      loadavg: { before: loadBefore, after: loadAfter },
      raw1ThreadHps: raw1,
      raw2ThreadsHps: raw2,
      miner1WorkerHps: one,
      miner2WorkersHps: two,
      ratio2: two / raw2,
      ratio1: one / raw1,
    },
    null,
    2,
  )}\n`,
);
