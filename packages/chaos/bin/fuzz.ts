/**
 * `pnpm --filter @p2pnode/chaos fuzz`: FUZZ_RUNS inputs (default 10^6) per decoder target, seed
 * FUZZ_SEED (default 1), FUZZ_TARGETS=a,b to pick targets (FUZZ_USAGE, `--help`). Prints a table,
 * writes fuzz-results.json, exits 1 on any crash or on a heap that grew more than 64 MiB in a
 * target, 2 on bad settings.
 */
import { writeFileSync } from "node:fs";
import { type FuzzResult, fuzzTarget } from "../src/fuzz/run.js";
import { FUZZ_TARGETS } from "../src/fuzz/targets.js";
import { envToolArgs, FUZZ_USAGE, type FuzzSettings, fuzzSettings } from "../src/runner/tool-settings.js";

const names = FUZZ_TARGETS.map((t) => t.name);
let settings: FuzzSettings;
try {
  if (envToolArgs(process.argv.slice(2)).help) {
    process.stdout.write(`${FUZZ_USAGE}\n${names.map((n) => `  ${n}`).join("\n")}\n`);
    process.exit(0);
  }
  settings = fuzzSettings(process.env, names);
} catch (err) {
  process.stderr.write(`fuzz: ${(err as Error).message}\n`);
  process.exit(2);
}
const { runs, seed, targets: only } = settings;
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
