import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FUZZ_TARGETS } from "../src/fuzz/targets.js";
import { crashLoopSettings, envToolArgs, fuzzSettings } from "../src/runner/tool-settings.js";

const names = FUZZ_TARGETS.map((t) => t.name);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The command as the package scripts run it (package.json "fuzz" / "crash-loop"). */
function tool(bin: "fuzz" | "crash-loop", args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "--conditions=source", `bin/${bin}.ts`, ...args], {
    cwd: packageDir,
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...env },
    timeout: 120_000, // a hang guard: a refused setting must exit before any target runs
  });
}

describe("fuzz and crash-loop settings", () => {
  it("reads defaults and given values from the environment", () => {
    expect(fuzzSettings({ FUZZ_RUNS: "1e6" }, names).runs).toBe(1_000_000);
    expect(fuzzSettings({}, names)).toEqual({ runs: 1_000_000, seed: 1, targets: undefined });
    expect(fuzzSettings({ FUZZ_RUNS: "5000", FUZZ_SEED: "7", FUZZ_TARGETS: "tx, block" }, names)).toEqual({
      runs: 5000,
      seed: 7,
      targets: ["tx", "block"],
    });
    expect(crashLoopSettings({})).toEqual({ kills: 200, seed: 1, maxGapMs: 1_500 });
    expect(crashLoopSettings({ CRASH_KILLS: "4", CRASH_SEED: "0", CRASH_MAX_GAP_MS: "0" })).toEqual({
      kills: 4,
      seed: 0,
      maxGapMs: 0,
    });
  });

  it("refuses a value that is not a whole number in range, naming the variable", () => {
    for (const [variable, value] of [
      ["FUZZ_RUNS", "1e5x"],
      ["FUZZ_RUNS", "10k"],
      ["FUZZ_RUNS", "0"],
      ["FUZZ_RUNS", "-3"],
      ["FUZZ_RUNS", ""],
      ["FUZZ_SEED", String(2 ** 32)],
      ["FUZZ_SEED", "1.5"],
    ] as const)
      expect(() => fuzzSettings({ [variable]: value }, names)).toThrow(new RegExp(`^invalid ${variable}=`));
    for (const [variable, value] of [
      ["CRASH_KILLS", "lots"],
      ["CRASH_KILLS", "0"],
      ["CRASH_SEED", "-1"],
      ["CRASH_MAX_GAP_MS", "5s"],
    ] as const)
      expect(() => crashLoopSettings({ [variable]: value })).toThrow(new RegExp(`^invalid ${variable}=`));
  });

  it("refuses an unknown target name, or a list of none, instead of fuzzing without them", () => {
    expect(fuzzSettings({ FUZZ_TARGETS: "tx," }, names).targets).toEqual(["tx"]);
    for (const none of ["", " , "])
      expect(() => fuzzSettings({ FUZZ_TARGETS: none }, names)).toThrow(
        /^invalid FUZZ_TARGETS=".*": names no target$/,
      );
    expect(() => fuzzSettings({ FUZZ_TARGETS: "tx,blok" }, names)).toThrow(
      /^invalid FUZZ_TARGETS="tx,blok": no target "blok" \(targets: .*block/,
    );
  });

  it("takes --help and refuses any other argument", () => {
    expect(envToolArgs([])).toEqual({ help: false });
    expect(envToolArgs(["-h"])).toEqual({ help: true });
    expect(() => envToolArgs(["--runs", "10"])).toThrow(
      /unexpected argument --runs: settings are environment/,
    );
  });

  it("the commands explain themselves with --help and stop on a bad setting with one line, exit 2", () => {
    const help = tool("fuzz", ["--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("FUZZ_RUNS");
    for (const n of names) expect(help.stdout).toContain(n);
    const crashHelp = tool("crash-loop", ["--help"]);
    expect(crashHelp.status, crashHelp.stderr).toBe(0);
    expect(crashHelp.stdout).toContain("CRASH_KILLS");

    for (const r of [
      tool("fuzz", [], { FUZZ_RUNS: "many" }),
      tool("fuzz", [], { FUZZ_TARGETS: "nope" }),
      tool("fuzz", ["tx"]),
      tool("crash-loop", [], { CRASH_KILLS: "-1" }),
    ]) {
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe(""); // nothing ran: no table, no report
    }
  });
});
