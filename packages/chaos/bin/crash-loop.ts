/**
 * `pnpm --filter @p2pnode/chaos crash-loop`: SIGKILLs the chain service CRASH_KILLS times
 * (default 200) at random moments (seed CRASH_SEED) under tx and block load, then checks SQLite
 * integrity, acknowledged blocks and txs, and the state digest against a never-crashed service.
 * Writes crash-loop-report.json; exits 1 when a check fails.
 */
import { writeFileSync } from "node:fs";
import { runCrashLoop } from "../src/crash/crash-loop.js";

const report = await runCrashLoop({
  kills: Number(process.env.CRASH_KILLS ?? 200),
  seed: Number(process.env.CRASH_SEED ?? 1),
  maxGapMs: Number(process.env.CRASH_MAX_GAP_MS ?? 1_500),
  log: (l) => console.log(l),
});
console.table(report);
writeFileSync("crash-loop-report.json", `${JSON.stringify(report, null, 2)}\n`);
process.exit(report.ok ? 0 : 1);
