import { describe, expect, it } from "vitest";
import {
  BUS_BLOCKS_PER_PAYLOAD,
  BUS_MAX_PAYLOAD_BYTES,
  BUS_SYNC_ANSWER_BYTES,
  decodeP2pMessage,
  ENVELOPE_BYTES,
  encodeP2pMessage,
  itemsWithinBudget,
  MAX_BLOCK_BYTES,
  MAX_CERTIFICATE_BYTES,
  MAX_CONSENSUS_MESSAGE_BYTES,
  MAX_GET_BLOCKS,
  MAX_MESSAGE_BYTES,
  MAX_P2P_MESSAGE_BYTES,
  MAX_TEMPLATE_TX_BYTES,
  SYNC_ANSWER_BYTES,
} from "../src/index.js";

/*
 * The size table (src/limits.ts): every limit a message of blocks meets, from consensus down to
 * the wire and the bus, derives from MAX_BLOCK_BYTES; these are the relations that keep a
 * max-size block deliverable everywhere.
 */

describe("the size table", () => {
  it("fits a block and its envelope in one P2P message and in one bus payload", () => {
    expect(MAX_P2P_MESSAGE_BYTES).toBe(MAX_MESSAGE_BYTES);
    expect(MAX_BLOCK_BYTES + ENVELOPE_BYTES).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(BUS_MAX_PAYLOAD_BYTES).toBe(BUS_BLOCKS_PER_PAYLOAD * (MAX_BLOCK_BYTES + ENVELOPE_BYTES));
    // gateway.v1.final.fetch passes one whole P2P message over the bus.
    expect(MAX_MESSAGE_BYTES + ENVELOPE_BYTES).toBeLessThanOrEqual(BUS_MAX_PAYLOAD_BYTES);
    expect(MAX_TEMPLATE_TX_BYTES).toBeLessThan(MAX_BLOCK_BYTES);
  });

  it("keeps the largest certificate and consensus message within a block's envelope", () => {
    expect(MAX_CERTIFICATE_BYTES).toBeLessThan(ENVELOPE_BYTES);
    expect(MAX_CONSENSUS_MESSAGE_BYTES).toBeLessThanOrEqual(MAX_BLOCK_BYTES + ENVELOPE_BYTES);
  });

  it("lets every sync answer carry at least one max-size block", () => {
    expect(MAX_BLOCK_BYTES).toBeLessThanOrEqual(SYNC_ANSWER_BYTES);
    expect(MAX_BLOCK_BYTES).toBeLessThanOrEqual(BUS_SYNC_ANSWER_BYTES);
  });

  it("a blocks message filled to SYNC_ANSWER_BYTES, in as many blocks as get-blocks may ask, encodes under the message limit", () => {
    const first = new Uint8Array(MAX_BLOCK_BYTES);
    const rest = Array.from(
      { length: MAX_GET_BLOCKS - 1 },
      () => new Uint8Array(Math.floor((SYNC_ANSWER_BYTES - MAX_BLOCK_BYTES) / (MAX_GET_BLOCKS - 1))),
    );
    const bytes = encodeP2pMessage({ type: "blocks", blocks: [first, ...rest] });
    expect(bytes.length).toBeLessThanOrEqual(MAX_P2P_MESSAGE_BYTES);
    expect(decodeP2pMessage(bytes)).toMatchObject({ type: "blocks" });
  });

  it.each([
    ["empty", [], 10, 0],
    ["all fit", [3, 3, 3], 10, 3],
    ["cut before the one that would pass the budget", [4, 4, 4], 10, 2],
    ["the first always goes", [12, 1], 10, 1],
    ["exactly at the budget", [5, 5, 1], 10, 2],
  ])("itemsWithinBudget: %s", (_name, sizes, budget, n) => {
    expect(itemsWithinBudget(sizes, budget)).toBe(n);
  });
});
