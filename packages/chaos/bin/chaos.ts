/**
 * `pnpm chaos [manifest.json] [--seed N]`: runs a chaos scenario (packages/chaos/manifests/ci.json
 * by default), prints the faults as they happen and a table of checks, writes chaos-report.json
 * (CHAOS_REPORT to change the path) and exits 1 if any check failed. The seed in the report
 * replays the same fault schedule.
 */
import { resolve } from "node:path";
import { type ChaosManifest, readManifest } from "../src/runner/manifest.js";
import { runChaos, writeReport } from "../src/runner/runner.js";

const args = process.argv.slice(2);
const seedAt = args.indexOf("--seed");
const file =
  args.find((a, i) => !a.startsWith("--") && i !== seedAt + 1) ??
  new URL("../manifests/ci.json", import.meta.url).pathname;
let manifest: ChaosManifest;
try {
  manifest = readManifest(file);
  if (seedAt >= 0) {
    const seed = Number(args[seedAt + 1]);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
      throw new TypeError(`--seed must be an integer 0..2^32-1`);
    manifest = { ...manifest, seed };
  }
} catch (err) {
  process.stderr.write(`chaos: ${(err as Error).message}\n`);
  process.exit(2);
}
const report = await runChaos(manifest);
console.table(report.checks.map((c) => ({ check: c.name, ok: c.ok ? "yes" : "NO", detail: c.detail })));
const out = resolve(process.env.CHAOS_REPORT ?? "chaos-report.json");
writeReport(report, out);
console.log(
  `${report.ok ? "PASS" : "FAIL"} ${report.name}: seed ${report.seed}, ${report.network}, ${report.perturbations.length} perturbations, height ${report.finalHeight}, ${report.load.distinct} txs acknowledged, ${report.wallSec.toFixed(0)} s; report ${out}`,
);
process.exit(report.ok ? 0 : 1);
