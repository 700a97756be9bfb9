import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoPath } from "./lib/repo.js";

/*
 * scripts/bench-table.mjs (the table `pnpm bench` ends with) over bench results written in the
 * shape of packages/kit's writeBenchResult: each headline next to its in-run baseline, whether its
 * goal was met (higher or lower is better), the figure before the throughput work and the load.
 */
const root = mkdtempSync(join(tmpdir(), "p2pnode-bench-table-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (dir: string) =>
  spawnSync(process.execPath, [repoPath("scripts", "bench-table.mjs"), dir], { encoding: "utf8" });

describe("scripts/bench-table.mjs", () => {
  it("prints every headline with its baseline, ratio, goal verdict, earlier figure and load", () => {
    const dir = join(root, "services", "miner", "bench-results");
    mkdirSync(dir, { recursive: true });
    const headline = (figure: string, ratio: number, goal: number, higherIsBetter: boolean) => ({
      figure,
      value: ratio * 10,
      unit: "x/s",
      baseline: "the raw loop",
      baselineValue: 10,
      ratio,
      goal,
      higherIsBetter,
    });
    writeFileSync(
      join(dir, "hashrate.json"),
      JSON.stringify({
        when: "2026-12-02T13:00:00.000Z",
        loadavg: { before: [1, 1, 1], after: [3.25, 2, 1] },
        headlines: [
          headline("miner, 2 workers", 0.95, 0.9, true),
          headline("burst relay, 1,000 tx to 5 mempools", 2.5, 2, false),
          headline("block commit", 0.4968, 0.5, true),
          headline("admission CPU", 0.2504, 0.25, false),
        ],
      }),
    );
    const r = run(root);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("| "));
    expect(rows).toHaveLength(5); // header and four figures
    const miner = rows.find((l) => l.includes("miner, 2 workers"));
    expect(miner).toMatch(
      /9\.5 x\/s .*10 x\/s \(the raw loop\) .*0\.95× .*≥ 0\.9× met .*0\.75× .*3\.3 2\.0 1\.0/,
    );
    const burst = rows.find((l) => l.includes("burst relay"));
    expect(burst).toMatch(/2\.50× .*≤ 2× MISSED .*24\.5×/);
    // A ratio that two decimals would round onto its goal shows which side it is on.
    expect(rows.find((l) => l.includes("block commit"))).toMatch(/\| 0\.497× .*≥ 0\.5× MISSED/);
    expect(rows.find((l) => l.includes("admission CPU"))).toMatch(/\| 0\.2504× .*≤ 0\.25× MISSED/);
  });

  it("fails when no bench has written a headline", () => {
    const empty = mkdtempSync(join(root, "empty-"));
    const r = run(empty);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no bench result with headlines/);
  });
});
