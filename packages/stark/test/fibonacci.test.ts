import { describe, expect, it } from "vitest";
import { FibonacciAir, fibonacciTrace, prove, verify } from "../src/index.js";

const FAST = { blowupLog: 2, queries: 20, grindingBits: 2, foldLog: 3, maxRemainderLog: 2 };

describe("fibonacci stark", () => {
  it("proves and verifies", () => {
    const n = 64;
    const trace = fibonacciTrace(n);
    const air = new FibonacciAir({ traceLength: n, result: trace[1]![n - 1]! });
    const proof = prove(air, trace, { params: FAST });
    verify(air, proof, { minConjecturedBits: 0 });
  });
});
