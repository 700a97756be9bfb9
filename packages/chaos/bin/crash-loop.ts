/**
 * `pnpm --filter @p2pnode/chaos crash-loop`: SIGKILLs the chain service CRASH_KILLS times
 * (default 200) at random moments (seed CRASH_SEED) under tx and block load, then checks SQLite
 * integrity, acknowledged blocks and txs, and the state digest against a never-crashed service.
 * Writes crash-loop-report.json; exits 1 when a check fails, 2 on bad settings (CRASH_LOOP_USAGE,
 * `--help`).
 */
import { writeFileSync } from "node:fs";
import { killRunningChains, runCrashLoop } from "../src/crash/crash-loop.js";
import {
  CRASH_LOOP_USAGE,
  type CrashLoopSettings,
  crashLoopSettings,
  envToolArgs,
} from "../src/runner/tool-settings.js";

let settings: CrashLoopSettings;
try {
  if (envToolArgs(process.argv.slice(2)).help) {
    process.stdout.write(`${CRASH_LOOP_USAGE}\n`);
    process.exit(0);
  }
  settings = crashLoopSettings(process.env);
} catch (err) {
  process.stderr.write(`crash-loop: ${(err as Error).message}\n`);
  process.exit(2);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    killRunningChains();
    process.exit(130);
  });
}

const report = await runCrashLoop({ ...settings, log: (l) => console.log(l) });
console.table(report);
writeFileSync("crash-loop-report.json", `${JSON.stringify(report, null, 2)}\n`);
process.exit(report.ok ? 0 : 1);
