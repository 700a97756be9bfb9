import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoPath } from "./lib/repo.js";

/*
 * The command line of the repository scripts that take one optional ROOT (scripts/root-arg.mjs):
 * `--help` explains the script instead of being read as the repository path, and a mistyped
 * option, a second argument or a ROOT that is no directory stop it with one line and exit 2.
 */
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [repoPath("scripts", script), ...args], { encoding: "utf8" });
const lines = (s: string) => s.split("\n").filter((l) => l.length > 0);

describe.each(["bench-table.mjs", "check-deps.mjs"])("scripts/%s arguments", (script) => {
  it("--help and -h print the usage and exit 0", () => {
    for (const flag of ["--help", "-h"]) {
      const r = run(script, flag);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`usage: node scripts/${script} [ROOT]`);
      expect(r.stdout).toContain("ROOT defaults to this repository");
      expect(r.stderr).toBe("");
    }
  });

  it.each([
    [["--root=/tmp"], "unknown option --root=/tmp"],
    [["a", "b"], "one ROOT at most, got 2 arguments"],
    [[repoPath("package.json")], `ROOT ${repoPath("package.json")} is not a directory`],
    [["/no/such/dir"], "ROOT /no/such/dir is not a directory"],
  ])("refuses %j with one line and exit 2", (args, why) => {
    const r = run(script, ...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`${script}: ${why}`);
  });
});
