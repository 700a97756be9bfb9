import { envNumber } from "@p2pnode/kit";
import { longOr } from "@p2pnode/kit/testing";
import { describe, expect, it } from "vitest";
import { FORGERY_REASONS } from "./forgeries.js";
import { runScenario, type ScenarioResult } from "./scenario.js";

/*
 * The simulation tier: many validators in one process, virtual clock and network, up to f of
 * them faulty (scripted adversary or Twins). SIM_RUNS scales the sweep (default 2,002 runs, 154
 * per n for n = 4 … 16, so CI keeps its time; 10,010 runs, 770 per n, under P2PNODE_LONG=1);
 * SIM_SEED moves its start. A failure prints its seed, and
 *   SIM_SEED=<seed> SIM_RUNS=1 pnpm --filter @p2pnode/chain test:sim
 * replays exactly that run (the first test below checks that a replay is identical).
 */

const RUNS = envNumber("SIM_RUNS", longOr(2_002, 10_010), { min: 1 });
const FIRST_SEED = envNumber("SIM_SEED", 1, { min: 0, max: 2 ** 32 - 1 });
const SIZES = Array.from({ length: 13 }, (_, i) => i + 4);
const perSize = Math.max(1, Math.ceil(RUNS / SIZES.length));
// Generous: a guard against a hang, never a speed assertion (that is the bench's job).
const TIMEOUT = 600_000;

const coverage = {
  runs: 0,
  plans: new Set<string>(),
  reasons: new Set<string>(),
  bottoms: 0,
  evidence: 0,
  twins: 0,
  fZero: 0,
  fMax: 0,
};

function describeFailure(r: ScenarioResult): string {
  return (
    `seed ${r.seed} (n=${r.n} f=${r.f} faulty=[${r.corrupt}] twins=[${r.twins}] slots=${r.slots}): ` +
    `${r.violations.slice(0, 3).join("; ")} — replay: SIM_SEED=${r.seed} SIM_RUNS=1 pnpm --filter @p2pnode/chain test:sim`
  );
}

function sweep(n: number, seeds: number[]): string[] {
  const failures: string[] = [];
  for (const seed of seeds) {
    const r = runScenario({ seed, n: RUNS === 1 ? undefined : n });
    coverage.runs++;
    for (const p of r.plans) coverage.plans.add(p);
    for (const reason of r.reasons.keys()) coverage.reasons.add(reason);
    coverage.bottoms += r.bottoms;
    coverage.evidence += r.evidence;
    if (r.twins.length > 0) coverage.twins++;
    if (r.f === 0) coverage.fZero++;
    if (r.f === r.n - 1) coverage.fMax++;
    if (r.violations.length > 0) failures.push(describeFailure(r));
  }
  return failures;
}

describe("Dolev-Strong under a Byzantine minority (simulation)", () => {
  it("replays a seed exactly: same deliveries, same outcome", () => {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + 20; seed++) {
      const a = runScenario({ seed });
      const b = runScenario({ seed });
      expect(b.trace, `seed ${seed}`).toBe(a.trace);
      expect(b.violations).toEqual(a.violations);
      expect(b.messages).toBeGreaterThan(0);
    }
  });

  if (RUNS === 1) {
    it(`replays seed ${FIRST_SEED}`, () => {
      expect(sweep(0, [FIRST_SEED])).toEqual([]);
    });
    return;
  }

  it.each(SIZES)(
    `n = %i: honest validators agree, honest leaders' blocks are decided, certificates and evidence hold (${perSize} runs)`,
    (n) => {
      const base = FIRST_SEED + (n - 4) * perSize;
      const seeds = Array.from({ length: perSize }, (_, i) => base + i);
      expect(sweep(n, seeds)).toEqual([]);
    },
    TIMEOUT,
  );

  it("exercised every attack: plans, forged-message reasons, ⊥ slots, evidence, twins, f = 0 and f = n − 1", () => {
    expect(coverage.runs).toBeGreaterThanOrEqual(Math.min(RUNS, SIZES.length * perSize));
    expect([...coverage.plans].sort()).toEqual(
      ["equivocate", "honest", "relay-games", "silent", "split-last-round"].sort(),
    );
    for (const reason of [...FORGERY_REASONS, "TOO_FEW_SIGNATURES", "LATE", "CONFLICTING_COMMIT"]) {
      expect(coverage.reasons, reason).toContain(reason);
    }
    expect(coverage.bottoms).toBeGreaterThan(0);
    expect(coverage.evidence).toBeGreaterThan(0);
    expect(coverage.twins).toBeGreaterThan(0);
    expect(coverage.fZero).toBeGreaterThan(0);
    expect(coverage.fMax).toBeGreaterThan(0);
  });
});

describe("the simulation can fail", () => {
  it("finds a disagreement when validators run one round too few (f rounds against f faults)", () => {
    const broken = [];
    for (let seed = 1; seed <= 400 && broken.length === 0; seed++) {
      const r = runScenario({ seed, honestRoundsShort: true });
      if (r.violations.some((v) => v.includes("disagreement"))) broken.push(seed);
    }
    expect(broken.length).toBe(1);
  });
});

describe("with real Ed25519 signatures and crypto's verify", () => {
  it(
    "agrees over 50 runs",
    () => {
      const failures = Array.from({ length: 50 }, (_, i) =>
        runScenario({ seed: 500_000 + i, scheme: "ed25519" }),
      )
        .filter((r) => r.violations.length > 0)
        .map(describeFailure);
      expect(failures).toEqual([]);
    },
    TIMEOUT,
  );
});
