import { describe, expect, it } from "vitest";
import { prove, RescueChainAir, rescueChainTrace, StarkError, verify } from "../src/index.js";

const FAST = { blowupLog: 2, queries: 20, grindingBits: 2, foldLog: 3, maxRemainderLog: 2, zk: false };

describe("rescue chain stark", () => {
  it("proves and verifies", () => {
    const { trace, digest } = rescueChainTrace([1, 2, 3, 4], 7);
    const air = new RescueChainAir({ hashes: 7, digest });
    const proof = prove(air, trace, { params: FAST });
    verify(air, proof, { minConjecturedBits: 0 });
  });

  it("with a public preimage, proves the chain of that preimage and no other", () => {
    const { trace, digest } = rescueChainTrace([1, 2, 3, 4], 7);
    const air = new RescueChainAir({ hashes: 7, digest, preimage: [1, 2, 3, 4] });
    const proof = prove(air, trace, { params: FAST });
    verify(air, proof, { minConjecturedBits: 0 });
    // The same digest claimed for another x: the statement differs, the proof does not verify.
    const other = new RescueChainAir({ hashes: 7, digest, preimage: [9, 2, 3, 4] });
    expect(() => verify(other, proof, { minConjecturedBits: 0 })).toThrow(StarkError);
    // A prover that commits to x = (1,2,3,4) but claims (9,2,3,4) in its public inputs fails too.
    expect(() => prove(other, trace, { params: FAST })).toThrow();
  });
});
