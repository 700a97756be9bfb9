import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { envNumber, envNumbers, type NumberRange, orExitOnConfigError } from "../config/env.js";

/** A bench's numeric setting (envNumber); a bad one stops the bench with one line, exit 2. */
export function benchSetting(name: string, fallback: number, range: NumberRange = {}): number {
  return orExitOnConfigError(() => envNumber(name, fallback, range), "bench");
}

/** A bench's list setting (envNumbers); a bad one stops the bench with one line, exit 2. */
export function benchSettings(name: string, fallback: readonly number[], range: NumberRange = {}): number[] {
  return orExitOnConfigError(() => envNumbers(name, fallback, range), "bench");
}

/**
 * One line of the `pnpm bench` summary table: a measured figure next to the baseline measured in
 * the same run, their ratio, and the goal that ratio is held to. `higherIsBetter` says which side
 * of the goal passes (throughput: ratio ≥ goal; a time such as burst relay: ratio ≤ goal).
 */
export interface BenchHeadline {
  /** What was measured, e.g. "tx admission (VerifyPool)". */
  figure: string;
  value: number;
  unit: string;
  /** The in-run baseline, e.g. "raw Ed25519 verify, every core". */
  baseline: string;
  baselineValue: number;
  /** value / baselineValue. */
  ratio: number;
  goal: number;
  higherIsBetter: boolean;
}

/**
 * Writes a bench's figures to `bench-results/<name>.json` (in the working directory: the package's,
 * under `pnpm bench`) with the machine they were measured on — when, Node version, CPU model, cores
 * and the load average at the end, unless the figures carry their own `loadavg` (before and after)
 * — so results from different runs and machines can be told apart. `headlines` are the rows this
 * bench adds to the summary table that `pnpm bench` prints at the end (scripts/bench-table.mjs).
 * Returns the file's path.
 */
export function writeBenchResult(
  name: string,
  figures: Record<string, unknown>,
  headlines: BenchHeadline[] = [],
): string {
  mkdirSync("bench-results", { recursive: true });
  const file = join("bench-results", `${name}.json`);
  const out = {
    when: new Date().toISOString(),
    node: process.versions.node,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadavg: loadavg(),
    ...figures,
    headlines,
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
  return file;
}
