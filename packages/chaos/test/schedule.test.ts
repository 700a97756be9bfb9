import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readManifest } from "../src/runner/manifest.js";
import { schedule } from "../src/runner/schedule.js";

const manifest = (name: string) =>
  readManifest(fileURLToPath(new URL(`../manifests/${name}.json`, import.meta.url)));

describe("the fault schedule is a function of the manifest and its seed", () => {
  it("replaying a seed gives the same perturbations at the same offsets", () => {
    const m = manifest("long");
    expect(schedule({ ...m })).toEqual(schedule({ ...m }));
    expect(schedule({ ...m, seed: m.seed + 1 })).not.toEqual(schedule(m));
  });

  it("the long manifest schedules ≥ 50 perturbations of every kind, never on the steady miner", () => {
    const m = manifest("long");
    const plan = schedule(m);
    expect(plan.length).toBeGreaterThanOrEqual(50);
    expect(new Set(plan.map((p) => p.kind))).toEqual(new Set(m.perturbations.kinds));
    expect(plan.every((p) => !p.nodes.includes(m.miners - 1))).toBe(true);
    expect(plan.every((p) => p.atMs + p.durationMs <= m.durationSec * 1000)).toBe(true);
  });

  it("a bad manifest is a one-line error naming the field", () => {
    const file = fileURLToPath(new URL("../package.json", import.meta.url));
    expect(() => readManifest(file)).toThrow(/package\.json: name|seed|nodes/);
  });
});
