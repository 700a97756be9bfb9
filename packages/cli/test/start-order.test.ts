import { ROLE_SERVICES, type Role } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { startOrder } from "../src/node/start-order.js";

describe("the order a node starts its services in", () => {
  it.each(Object.keys(ROLE_SERVICES) as Role[])(
    "%s: the chain alone first, then the rest in role order",
    (role) => {
      const [first, rest] = startOrder(ROLE_SERVICES[role]);
      expect(first).toEqual(["chain"]);
      expect(rest).toEqual(ROLE_SERVICES[role].filter((s) => s !== "chain"));
    },
  );

  it("starts everything at once when the role has no chain", () => {
    expect(startOrder(["gateway", "dht"])).toEqual([[], ["gateway", "dht"]]);
  });
});
