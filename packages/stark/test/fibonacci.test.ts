import { describe, expect, it } from "vitest";
import {
  decodeProof,
  encodeProof,
  FibonacciAir,
  fibonacciTrace,
  prove,
  type StarkParams,
  verify,
} from "../src/index.js";

const base: StarkParams = {
  blowupLog: 2,
  queries: 20,
  grindingBits: 2,
  foldLog: 3,
  maxRemainderLog: 2,
  zk: false,
};

describe("fibonacci stark", () => {
  const cases: [string, number, Partial<StarkParams>][] = [
    ["2^3 rows", 8, {}],
    ["2^6 rows, fold 2", 64, { foldLog: 1 }],
    ["2^8 rows, fold 4, remainder 2^0", 256, { foldLog: 2, maxRemainderLog: 0 }],
    ["2^10 rows, blowup 8, fold 16", 1024, { blowupLog: 3, foldLog: 4 }],
    ["2^7 rows, blowup 2", 128, { blowupLog: 1 }],
  ];
  for (const [name, n, over] of cases) {
    it(`proves and verifies: ${name}`, () => {
      const trace = fibonacciTrace(n);
      const air = new FibonacciAir({ traceLength: n, result: trace[1]![n - 1]! });
      const proof = prove(air, trace, { params: { ...base, ...over } });
      expect(proof.airId).toBe("fibonacci/v1");
      verify(air, decodeProof(encodeProof(proof)), { minConjecturedBits: 0 });
      const wrong = new FibonacciAir({ traceLength: n, result: (trace[1]![n - 1]! + 1) % 2130706433 });
      expect(() => verify(wrong, proof, { minConjecturedBits: 0 })).toThrow();
    });
  }
});
