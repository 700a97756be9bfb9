import { describe, it } from "vitest";
import { prove, RescueChainAir, rescueChainTrace, verify } from "../src/index.js";

const FAST = { blowupLog: 2, queries: 20, grindingBits: 2, foldLog: 3, maxRemainderLog: 2, zk: false };

describe("rescue chain stark", () => {
  it("proves and verifies", () => {
    const { trace, digest } = rescueChainTrace([1, 2, 3, 4], 7);
    const air = new RescueChainAir({ hashes: 7, digest });
    const proof = prove(air, trace, { params: FAST });
    verify(air, proof, { minConjecturedBits: 0 });
  });
});
