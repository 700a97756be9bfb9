import { MAX_BLOCKS_PER_FETCH } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import {
  BUS_ENVELOPE_BYTES,
  BUS_MAX_PAYLOAD_BYTES,
  encodeCanonical,
  MAX_BLOCK_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_P2P_MESSAGE_BYTES,
  MAX_TX_BYTES,
  SYNC_BLOCKS_PER_ANSWER,
} from "../src/index.js";

/** The size table of limits.ts: the largest item of each layer fits the layer below it. */
describe("size limits from consensus down to the transports", () => {
  it("fits the largest block in one P2P message, with room for framing", () => {
    expect(MAX_TX_BYTES).toBeLessThan(MAX_BLOCK_BYTES);
    expect(MAX_P2P_MESSAGE_BYTES).toBe(MAX_MESSAGE_BYTES);
    expect(MAX_BLOCK_BYTES + 64 * 1024).toBeLessThanOrEqual(MAX_P2P_MESSAGE_BYTES);
  });

  it("fits a sync answer of SYNC_BLOCKS_PER_ANSWER largest blocks in NATS's max_payload", () => {
    expect(SYNC_BLOCKS_PER_ANSWER).toBe(3);
    expect(MAX_BLOCKS_PER_FETCH).toBe(SYNC_BLOCKS_PER_ANSWER); // the request schema's cap
    const block = new Uint8Array(MAX_BLOCK_BYTES);
    const answer = encodeCanonical({ blocks: Array.from({ length: SYNC_BLOCKS_PER_ANSWER }, () => block) });
    expect(answer.length).toBeLessThanOrEqual(BUS_MAX_PAYLOAD_BYTES - BUS_ENVELOPE_BYTES + 64);
    const oneMore = encodeCanonical({
      blocks: Array.from({ length: SYNC_BLOCKS_PER_ANSWER + 1 }, () => block),
    });
    expect(oneMore.length).toBeGreaterThan(BUS_MAX_PAYLOAD_BYTES);
    // A block event (bytes, hash, height, work) fits too.
    expect(MAX_BLOCK_BYTES + BUS_ENVELOPE_BYTES).toBeLessThan(BUS_MAX_PAYLOAD_BYTES);
  });
});
