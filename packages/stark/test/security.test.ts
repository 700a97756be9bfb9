import { describe, expect, it } from "vitest";
import { DEFAULT_PARAMS, PROVEN_PARAMS, securityOf } from "../src/index.js";

const shape = { logTraceLength: 16, constraintDegree: 3, numConstraints: 24, width: 12 };

describe("security estimates", () => {
  it("default parameters give 100 conjectured bits and report the much lower proven bound", () => {
    const s = securityOf(DEFAULT_PARAMS, shape);
    expect(s.conjecturedBits).toBe(100);
    expect(s.provenBits).toBeLessThan(60);
    expect(s.provenBits).toBeGreaterThan(40);
  });
  it("the proven preset reaches 96 proven bits in the unique-decoding regime", () => {
    const s = securityOf(PROVEN_PARAMS, shape);
    expect(s.provenUniqueDecodingBits).toBeGreaterThanOrEqual(96);
    expect(s.conjecturedBits).toBeGreaterThan(100);
  });
  it("more queries never lower either figure", () => {
    const a = securityOf({ ...DEFAULT_PARAMS, queries: 30 }, shape);
    const b = securityOf({ ...DEFAULT_PARAMS, queries: 60 }, shape);
    expect(b.conjecturedBits).toBeGreaterThanOrEqual(a.conjecturedBits);
    expect(b.provenBits).toBeGreaterThanOrEqual(a.provenBits);
  });
});
