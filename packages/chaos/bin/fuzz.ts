/**
 * `pnpm --filter @p2pnode/chaos fuzz`: FUZZ_RUNS inputs (default 10^6) per decoder target, seed
 * FUZZ_SEED (default 1), FUZZ_TARGETS=a,b to pick targets. Prints a table, writes
 * fuzz-results.json, exits 1 on any crash or on a heap that grew more than 64 MiB in a target.
 */
import { writeFileSync } from "node:fs";
import { type FuzzResult, fuzzTarget } from "../src/fuzz/run.js";
import { FUZZ_TARGETS } from "../src/fuzz/targets.js";

const runs = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? 1);
const only = process.env.FUZZ_TARGETS?.split(",").filter(Boolean);
const results: FuzzResult[] = [];
for (const t of FUZZ_TARGETS.filter((x) => !only || only.includes(x.name))) {
  results.push(fuzzTarget(t, runs, seed));
  // Written after each target, so a long run's finished targets survive an interruption.
  writeFileSync("fuzz-results.json", `${JSON.stringify({ runs, seed, results }, null, 2)}\n`);
}
const round = (x: number) => Math.round(x * 10) / 10;
console.table(
  results.map((r) => ({
    target: r.target,
    inputs: r.inputs,
    decoded: r.decoded,
    typedErrors: r.typedErrors,
    crashes: r.crashes,
    "inputs/s": Math.round(r.inputs / r.seconds),
    "peak RSS MiB": round(r.peakRssMiB),
    "heap growth MiB": round(r.heapGrowthMiB),
  })),
);
const bad = results.filter((r) => r.crashes > 0 || r.heapGrowthMiB > 64);
for (const r of bad)
  console.error(`${r.target}: ${r.crashes} crashes, first: ${JSON.stringify(r.firstCrash)}`);
process.exit(bad.length > 0 ? 1 : 0);
