import { describe, expect, it } from "vitest";
import { parseChaosArgs } from "../src/runner/args.js";

describe("pnpm chaos arguments", () => {
  it("takes the manifest given first, with or without a seed", () => {
    // The manifest alone once fell back to the CI manifest: the long run silently ran ci.json.
    expect(parseChaosArgs(["manifests/long.json"])).toEqual({
      help: false,
      file: "manifests/long.json",
      seed: undefined,
    });
    expect(parseChaosArgs(["manifests/long.json", "--seed", "7"])).toEqual({
      help: false,
      file: "manifests/long.json",
      seed: 7,
    });
    expect(parseChaosArgs(["--seed", "7", "m.json"])).toEqual({ help: false, file: "m.json", seed: 7 });
    expect(parseChaosArgs([])).toEqual({ help: false, file: undefined, seed: undefined });
    expect(parseChaosArgs(["--help"]).help).toBe(true);
  });

  it("refuses a bad seed, an unknown option and two manifests with one-line reasons", () => {
    for (const bad of [
      ["--seed"],
      ["--seed", "x"],
      ["--seed", "-1"],
      ["--seed", String(2 ** 32)],
      ["--seed", ""],
    ])
      expect(() => parseChaosArgs(bad)).toThrow(/--seed must be an integer/);
    expect(() => parseChaosArgs(["--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseChaosArgs(["a.json", "b.json"])).toThrow(/one manifest at a time/);
  });
});
