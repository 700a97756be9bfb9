import { describe, expect, it } from "vitest";
import {
  allChoices,
  CHOICES_WITH_LEADER,
  CHOICES_WITHOUT_LEADER,
  runScriptedSlot,
  subsets,
} from "./exhaustive.js";

/*
 * For n ≤ 4, every choice of a coalition of f faulty validators in one slot: in each of the
 * f + 1 rounds, for each honest validator, send nothing, block A, block B or both (with the
 * leader's key) or nothing / the leader's block (without it). Agreement must hold in every case.
 */

const cases: { n: number; f: number; corrupt: number[] }[] = [];
for (const n of [2, 3, 4]) {
  for (let f = 1; f < n; f++) for (const corrupt of subsets(n, f)) cases.push({ n, f, corrupt });
}
const LEADER = 1 % 4; // slot 1's leader for n = 2, 3, 4 is validator 1

// Generous: a guard against a hang on a loaded machine, not a speed assertion.
const TIMEOUT = 300_000;

describe("every adversary choice for one slot, n ≤ 4 (exhaustive)", () => {
  it.each(cases)(
    "n = $n, f = $f, faulty $corrupt: honest validators always agree",
    { timeout: TIMEOUT },
    ({ n, f, corrupt }) => {
      const honest = n - corrupt.length;
      const withLeader = corrupt.includes(LEADER % n);
      const base = withLeader ? CHOICES_WITH_LEADER : CHOICES_WITHOUT_LEADER;
      const outcomes = new Map<string, number>();
      let checked = 0;
      for (const choices of allChoices(base, (f + 1) * honest)) {
        const { decisions, honestLeaderBlock } = runScriptedSlot({ n, f, corrupt, choices });
        const agreed = new Set(decisions);
        if (agreed.size !== 1 || decisions.includes("undecided")) {
          expect.fail(`choices [${choices}]: decisions ${decisions.map((d) => d.slice(0, 8)).join(", ")}`);
        }
        if (!withLeader) expect(decisions[0]).toBe(honestLeaderBlock);
        const outcome = decisions[0] === "⊥" ? "⊥" : "block";
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        checked++;
      }
      expect(checked).toBe(base ** ((f + 1) * honest));
      // A faulty leader can force both outcomes; an honest one only ever gets its block.
      expect([...outcomes.keys()].sort()).toEqual(withLeader ? ["block", "⊥"] : ["block"]);
    },
  );
});

describe("the enumeration can fail", () => {
  it("finds the choices that split honest validators running f rounds against f faults", () => {
    const splits = [];
    for (const choices of allChoices(CHOICES_WITH_LEADER, 2 * 3)) {
      // n = 4, the leader faulty; honest validators wrongly stop after one round.
      const { decisions } = runScriptedSlot({ n: 4, f: 1, corrupt: [1], choices, honestRounds: 1 });
      if (new Set(decisions).size > 1) {
        splits.push([...choices]);
        break;
      }
    }
    expect(splits.length).toBeGreaterThan(0);
  });
});
