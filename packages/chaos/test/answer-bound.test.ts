import { describe, expect, it } from "vitest";
import { answerBoundMs } from "../src/runner/answer-bound.js";

describe("answer bound", () => {
  it("is the manifest's bound while the run queue fits the cores", () => {
    expect(answerBoundMs(20, 0.3, 2)).toEqual({ boundMs: 20_000, loadPerCore: 0.15 });
    expect(answerBoundMs(20, 2, 2).boundMs).toBe(20_000);
  });

  it("stretches by load per core on an oversubscribed machine, never below the manifest's", () => {
    expect(answerBoundMs(20, 6, 2)).toEqual({ boundMs: 60_000, loadPerCore: 3 });
    expect(answerBoundMs(20, 5, 4).boundMs).toBe(25_000);
    expect(answerBoundMs(20, 6, 0).boundMs).toBe(120_000); // a bogus core count counts as one
  });
});
