/**
 * `pnpm chaos [manifest.json] [--seed N]`: runs a chaos scenario (packages/chaos/manifests/ci.json
 * by default), prints the faults as they happen and a table of checks, writes chaos-report.json
 * (CHAOS_REPORT to change the path) and exits 1 if any check failed. The seed in the report
 * replays the same fault schedule.
 */
import { resolve } from "node:path";
import { CHAOS_USAGE, parseChaosArgs } from "../src/runner/args.js";
import { type ChaosManifest, readManifest } from "../src/runner/manifest.js";
import { abortChaosRuns, runChaos, writeReport } from "../src/runner/runner.js";

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    abortChaosRuns();
    process.exit(130);
  });
}

let manifest: ChaosManifest;
try {
  const args = parseChaosArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${CHAOS_USAGE}\n`);
    process.exit(0);
  }
  manifest = readManifest(args.file ?? new URL("../manifests/ci.json", import.meta.url).pathname);
  if (args.seed !== undefined) manifest = { ...manifest, seed: args.seed };
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
