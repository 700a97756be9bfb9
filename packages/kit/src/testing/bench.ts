import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

/**
 * Writes a bench's figures to `bench-results/<name>.json` (in the working directory: the package's,
 * under `pnpm bench`) with the machine they were measured on — when, Node version, CPU model, cores
 * and the load average at the end, unless the figures carry their own `loadavg` (before and after)
 * — so results from different runs and machines can be told apart. Returns the file's path.
 */
export function writeBenchResult(name: string, figures: Record<string, unknown>): string {
  mkdirSync("bench-results", { recursive: true });
  const file = join("bench-results", `${name}.json`);
  const out = {
    when: new Date().toISOString(),
    node: process.versions.node,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadavg: loadavg(),
    ...figures,
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
  return file;
}
