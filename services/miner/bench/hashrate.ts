/**
 * Miner hashrate with 2 worker threads next to 2× a raw single-thread SHA-256 loop over the same
 * 176-byte header, measured in the same run (goal ≥ 0.8×). Writes bench-results/miner-hashrate.json.
 */
import { hash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { encodeHeader, headerToJson } from "@p2pnode/codec";
import { createLogger } from "@p2pnode/kit";
import { Miner } from "../src/miner.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
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

function rawLoop(ms: number): number {
  const buf = Buffer.from(bytes);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) {
      buf.writeUInt32BE(n++ >>> 0, 172);
      hash("sha256", buf, "buffer");
    }
  }
  return n / (ms / 1000);
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
  await new Promise((r) => setTimeout(r, 1_000)); // warm-up
  const h0 = miner.status().hashes;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const rate = ((miner.status().hashes - h0) * 1000) / (performance.now() - t0);
  await miner.stop();
  return rate;
}

const single = rawLoop(SECONDS * 1000);
const two = await minerRate(2, SECONDS * 1000);
const one = await minerRate(1, SECONDS * 1000);
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} MH/s`;
console.log("figure                          value        baseline                      ratio");
console.log(
  `miner, 2 workers               ${fmt(two).padEnd(12)} ${`2 × raw loop = ${fmt(2 * single)}`.padEnd(29)} ${(two / (2 * single)).toFixed(2)}`,
);
console.log(
  `miner, 1 worker                ${fmt(one).padEnd(12)} ${`raw loop = ${fmt(single)}`.padEnd(29)} ${(one / single).toFixed(2)}`,
);
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/miner-hashrate.json",
  JSON.stringify(
    {
      seconds: SECONDS,
      rawSingleThreadHps: single,
      miner2WorkersHps: two,
      miner1WorkerHps: one,
      ratio2: two / (2 * single),
      ratio1: one / single,
    },
    null,
    2,
  ),
);
