import { type BlockHeader, encodeHeader, NONCE_OFFSET } from "@p2pnode/codec";
import { headerHash, meetsTarget } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { hashMeetsTarget, searchNonces } from "../src/pow.js";

const header = (target: Uint8Array): BlockHeader => ({
  version: 1,
  height: 7,
  prevHash: new Uint8Array(32).fill(1),
  txRoot: new Uint8Array(32).fill(2),
  stateRoot: new Uint8Array(32),
  timestamp: 1_700_000_000_000,
  target,
  miner: new Uint8Array(20).fill(3),
  nonce: 0n,
});

describe("proof-of-work search", () => {
  it("finds a nonce whose header hash meets the target, as the chain's own check sees it", () => {
    // ~1 in 256 hashes qualify: a result within a few thousand tries.
    const target = new Uint8Array(32).fill(0xff);
    target[0] = 0x00;
    const bytes = encodeHeader(header(target));
    const low = searchNonces({
      header: bytes,
      target,
      nonceOffset: NONCE_OFFSET,
      nonceHigh: 5,
      nonceLow: 0,
      count: 100_000,
    });
    expect(low).toBeGreaterThanOrEqual(0);
    const view = new DataView(bytes.buffer);
    view.setUint32(NONCE_OFFSET, 5);
    view.setUint32(NONCE_OFFSET + 4, low);
    expect(meetsTarget(headerHash(bytes), target)).toBe(true);
    // Every earlier nonce in the range fails: the search does not skip a winner.
    for (let n = 0; n < low; n++) {
      view.setUint32(NONCE_OFFSET + 4, n);
      expect(meetsTarget(headerHash(bytes), target)).toBe(false);
    }
  });

  it("returns -1 when no nonce in the range qualifies", () => {
    const impossible = new Uint8Array(32); // only an all-zero hash would do
    const bytes = encodeHeader(header(impossible));
    expect(
      searchNonces({
        header: bytes,
        target: impossible,
        nonceOffset: NONCE_OFFSET,
        nonceHigh: 0,
        nonceLow: 0,
        count: 2_000,
      }),
    ).toBe(-1);
  });

  it.each([
    ["equal", "00ff", "00ff", true],
    ["lower first byte", "00ff", "01", true],
    ["higher first byte", "02", "01ff", false],
    [
      "decided by the last byte",
      "0000000000000000000000000000000000000000000000000000000000000002",
      "0000000000000000000000000000000000000000000000000000000000000001",
      false,
    ],
  ])("compares 32-byte big-endian values: %s", (_id, hash, target, ok) => {
    const pad = (h: string) => Buffer.from(h.padEnd(64, "0"), "hex");
    expect(hashMeetsTarget(pad(hash), pad(target))).toBe(ok);
  });
});
