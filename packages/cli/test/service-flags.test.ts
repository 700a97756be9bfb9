import { describe, expect, it } from "vitest";
import { serviceNodeFlagsOf } from "../src/node/service-flags.js";

describe("the Node.js flags of a service process", () => {
  it("by default: a small young generation for every service but the chain", () => {
    for (const name of ["gateway", "miner", "dht", "zkp", "compute"] as const)
      expect(serviceNodeFlagsOf(name, undefined)).toEqual(["--max-semi-space-size=1"]);
    expect(serviceNodeFlagsOf("chain", undefined)).toEqual([]);
  });

  it("P2PNODE_SERVICE_NODE_FLAGS, when set, applies to every service, the chain included", () => {
    const set = ["--max-semi-space-size=4", "--v8-pool-size=1"];
    for (const name of ["chain", "gateway", "miner", "dht", "zkp", "compute"] as const)
      expect(serviceNodeFlagsOf(name, set)).toEqual(set);
    expect(serviceNodeFlagsOf("chain", [])).toEqual([]);
    expect(serviceNodeFlagsOf("gateway", [])).toEqual([]);
  });
});
