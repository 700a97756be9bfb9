import { decodeHeader } from "@p2pnode/codec";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

let n: GatewayNode;

beforeAll(async () => {
  n = await startGatewayNode();
  // Past the 2,000 headers one request walks: the answer must not depend on walking from genesis.
  for (let i = 0; i < 2_010; i++) n.chain.mine();
  await eventually(
    () => n.gateway.localTip.height,
    (h) => h === 2_010,
  );
});
afterAll(async () => {
  await n?.stop();
});

describe("a light peer's chain request", () => {
  it.each([
    [1, 3, [1, 2, 3]],
    [2_005, 3, [2_005, 2_006, 2_007]],
    [2_009, 5, [2_009, 2_010]],
    [3_000, 5, []],
  ])("from height %i, at most %i: headers %j", async (fromHeight, max, heights) => {
    const raw = await RawPeer.connect(n.p2pPort, n.network);
    try {
      raw.send({ type: "chainRequest", id: 7, fromHeight, max });
      const answer = await eventually(
        () => raw.received.find((m) => m.type === "chainResponse"),
        (m) => m !== undefined,
      );
      if (answer?.type !== "chainResponse") throw new TypeError("no chain response");
      expect(answer.id).toBe(7);
      expect(answer.height).toBe(2_010);
      expect(answer.headers.map((h) => decodeHeader(h).height)).toEqual(heights);
    } finally {
      raw.close();
    }
  });
});
