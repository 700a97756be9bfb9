import { describe, expect, it } from "vitest";
import { decisionTime, leaderOf, roundAt, slotAt, slotStart } from "../../src/consensus/index.js";
import { validatorKeys, validatorSet } from "./harness.js";

// n = 4, f = 1, Δ = 100 ms, slot = 300 ms, genesis at t = 1,000,000.
const set = validatorSet(validatorKeys(4), 1);

describe("slots and rounds", () => {
  it("leads slot s with validator s mod n", () => {
    expect([1, 2, 3, 4, 5, 8].map((s) => leaderOf(set, s))).toEqual([1, 2, 3, 0, 1, 0]);
  });

  it("starts slot s at genesis + s·slot and decides it at the end of round f + 1", () => {
    expect(slotStart(set, 3)).toBe(1_000_900);
    expect(decisionTime(set, 3)).toBe(1_001_100);
    expect([999_999, 1_000_000, 1_000_299, 1_000_300].map((t) => slotAt(set, t))).toEqual([0, 0, 0, 1]);
  });

  it("puts a message in round r when it arrives in [start + (r−1)Δ, start + rΔ), early ones in round 1", () => {
    const s = slotStart(set, 2);
    expect([s - 5, s, s + 99, s + 100, s + 199, s + 200].map((t) => roundAt(set, 2, t))).toEqual([
      1, 1, 1, 2, 2, 3,
    ]);
  });
});
