#!/usr/bin/env node
// The one table `pnpm bench` ends with: every headline figure the benches wrote (each bench's
// bench-results/<name>.json, `headlines`, see packages/kit/src/testing/bench.ts), next to the
// baseline measured in the same run, the ratio, the goal, the figure before the throughput work
// (scripts/bench-before.json) and the load average the bench saw.
//
//   node scripts/bench-table.mjs [ROOT]     ROOT defaults to this repository
//
// Exits 1 when no bench result carries a headline (nothing was measured), not when a goal is
// missed: a loaded machine misses goals, and the table says so in its "goal" column.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rootArg } from "./root-arg.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = rootArg(
  process.argv.slice(2),
  resolve(here, ".."),
  `usage: node scripts/bench-table.mjs [ROOT]
Prints the table \`pnpm bench\` ends with: every headline figure in ROOT's
packages/*/bench-results and services/*/bench-results (written by the benches), its in-run
baseline, ratio, goal, the figure before the throughput work and the load average.
ROOT defaults to this repository. Exits 1 when no result carries a headline.`,
);
const before = JSON.parse(readFileSync(join(here, "bench-before.json"), "utf8"));

/** Every bench-results/*.json under packages/* and services/*. */
function resultFiles() {
  const out = [];
  for (const group of ["packages", "services"]) {
    const g = join(root, group);
    if (!existsSync(g)) continue;
    for (const name of readdirSync(g)) {
      const dir = join(g, name, "bench-results");
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.endsWith(".json")) out.push(join(dir, f));
    }
  }
  return out.sort();
}

const num = (n) =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : Number(n.toPrecision(3)).toString();
const load = (l) => {
  const at = Array.isArray(l) ? l : (l?.after ?? l?.before);
  return Array.isArray(at) ? at.map((x) => Number(x).toFixed(1)).join(" ") : "?";
};

const rows = [];
for (const file of resultFiles()) {
  let result;
  try {
    result = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    console.error(`bench-table: ${file}: ${err.message}`);
    continue;
  }
  for (const h of result.headlines ?? []) {
    const met = h.higherIsBetter ? h.ratio >= h.goal : h.ratio <= h.goal;
    const was = before[h.figure];
    rows.push([
      h.figure,
      `${num(h.value)} ${h.unit}`,
      `${num(h.baselineValue)} ${h.unit} (${h.baseline})`,
      `${shownRatio(h.ratio, h.goal)}×`,
      `${h.higherIsBetter ? "≥" : "≤"} ${h.goal}× ${met ? "met" : "MISSED"}`,
      was ? `${was.ratio}×` : "-",
      load(result.loadavg),
      String(result.when ?? "").slice(0, 16),
    ]);
  }
}
if (rows.length === 0) {
  console.error("bench-table: no bench result with headlines; run `pnpm bench` first");
  process.exit(1);
}
const head = ["figure", "measured", "in-run baseline", "ratio", "goal", "before", "load avg", "when (UTC)"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));

/**
 * Two decimals, or more when two would round a ratio that is not its goal onto it (0.497 shown
 * as 0.50 beside a goal of ≥ 0.5 and MISSED): the figure must show which side it is on.
 */
function shownRatio(ratio, goal) {
  let digits = 2;
  while (digits < 6 && ratio !== goal && Number(ratio.toFixed(digits)) === goal) digits++;
  return ratio.toFixed(digits);
}
