import { envNumber } from "@p2pnode/kit";
import { describe, expect, it } from "vitest";
import { ed25519TorsionSeeds, verifyTorsionRecipe } from "../src/fuzz/ed25519-target.js";
import { fuzzTarget } from "../src/fuzz/run.js";
import { FUZZ_TARGETS } from "../src/fuzz/targets.js";

// The CI form: a few thousand inputs per target (the 10^6 form is `pnpm --filter @p2pnode/chaos fuzz`).
const RUNS = envNumber("FUZZ_CI_RUNS", 3_000, { min: 1 });

describe("every decoder of outside input survives hostile bytes", () => {
  it("has seeds for the targets whose encodings are built here", () => {
    for (const t of FUZZ_TARGETS) {
      expect(t.seeds.length, t.name).toBeGreaterThan(0);
    }
  });
  it("ed25519-torsion's seeds reach both verdicts, so the engines are compared where they could split", () => {
    const verdicts = ed25519TorsionSeeds().map(verifyTorsionRecipe);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(0);
  });
  for (const t of FUZZ_TARGETS) {
    it(`${t.name}: ${RUNS} inputs, only typed errors`, () => {
      const seed = Date.now() % 1_000_000;
      const r = fuzzTarget(t, RUNS, seed);
      // The seed replays the same inputs: FUZZ_SEED=<seed> FUZZ_RUNS=3000 pnpm --filter @p2pnode/chaos fuzz.
      expect(r.firstCrash, `seed ${seed}`).toBeNull();
      expect(r.inputs).toBe(RUNS);
      // Mutated genuine encodings must reach past the first check sometimes, or the target is hollow.
      if (t.seeds.length > 0 && !t.name.startsWith("p2p-frame") && t.name !== "noise-handshake")
        expect(r.decoded, `${t.name}, seed ${seed}`).toBeGreaterThan(0);
    });
  }
});
