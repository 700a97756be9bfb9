import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/bench-setting.ts", import.meta.url));
const bench = (env: Record<string, string>) =>
  spawnSync(process.execPath, ["--import", "tsx", fixture], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...env },
    timeout: 60_000, // a hang guard only
  });

describe("a bench's numeric setting", () => {
  it("runs with the default or the given value", () => {
    expect(bench({}).stdout.trim()).toBe("1000");
    expect(bench({ BENCH_FIXTURE_TXS: "250" }).stdout.trim()).toBe("250");
  });

  it("stops on a bad value with one line naming it, exit 2, before the bench does anything", () => {
    const r = bench({ BENCH_FIXTURE_TXS: "10k" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('bench: invalid BENCH_FIXTURE_TXS="10k": must be a whole number 1..\n');
  });
});
