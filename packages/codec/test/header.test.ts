import { describe, expect, it } from "vitest";
import {
  type BlockHeader,
  CodecError,
  decodeHeader,
  encodeHeader,
  HEADER_LAYOUT,
  HEADER_SIZE,
  NONCE_OFFSET,
  setHeaderNonce,
} from "../src/index.js";

const header: BlockHeader = {
  version: 1,
  height: 42,
  prevHash: new Uint8Array(32).fill(1),
  txRoot: new Uint8Array(32).fill(2),
  stateRoot: new Uint8Array(32).fill(3),
  timestamp: 1_700_000_000_000,
  target: new Uint8Array(32).fill(4),
  miner: new Uint8Array(20).fill(5),
  nonce: 9n,
};

describe("block header", () => {
  it("has a layout without gaps or overlaps that ends at HEADER_SIZE, nonce last", () => {
    let next = 0;
    for (const field of Object.values(HEADER_LAYOUT)) {
      expect(field.offset).toBe(next);
      next += field.size;
    }
    expect(next).toBe(HEADER_SIZE);
    expect(NONCE_OFFSET).toBe(HEADER_SIZE - 8);
    // Past two SHA-256 blocks: the first 128 bytes can be hashed once per template.
    expect(NONCE_OFFSET).toBeGreaterThanOrEqual(128);
  });

  it("rewriting the nonce in place gives the same bytes as encoding with that nonce", () => {
    const bytes = encodeHeader(header);
    for (const nonce of [0n, 1n, 0xdead_beefn, 2n ** 64n - 1n]) {
      setHeaderNonce(bytes, nonce);
      expect(bytes).toEqual(encodeHeader({ ...header, nonce }));
      expect(decodeHeader(bytes).nonce).toBe(nonce);
    }
  });

  it("decodes what it encodes, copying byte fields out of the input", () => {
    const bytes = encodeHeader(header);
    const decoded = decodeHeader(bytes);
    expect(decoded).toEqual(header);
    bytes.fill(0);
    expect(decoded.prevHash).toEqual(header.prevHash);
  });

  it("decodes a header inside a larger buffer (a subarray view)", () => {
    const outer = new Uint8Array(HEADER_SIZE + 10);
    outer.set(encodeHeader(header), 5);
    expect(decodeHeader(outer.subarray(5, 5 + HEADER_SIZE))).toEqual(header);
  });

  it.each([
    ["a 31-byte prevHash", { prevHash: new Uint8Array(31) }, /prevHash: expected 32 bytes/],
    ["a 21-byte miner", { miner: new Uint8Array(21) }, /miner: expected 20 bytes/],
    ["a negative height", { height: -1 }, /height/],
    ["a fractional timestamp", { timestamp: 1.5 }, /timestamp/],
    ["a nonce of 2^64", { nonce: 2n ** 64n }, /nonce/],
    ["a number nonce", { nonce: 1 as unknown as bigint }, /nonce/],
    ["version 2", { version: 2 }, /version/],
    ["a string target", { target: "00" as unknown as Uint8Array }, /target: expected a Uint8Array/],
  ])("refuses to encode %s", (_name, patch, message) => {
    const bad = { ...header, ...patch } as BlockHeader;
    expect(() => encodeHeader(bad)).toThrow(message);
    expect(() => encodeHeader(bad)).toThrow(CodecError);
  });

  it("refuses a nonce rewrite on bytes that are not a header", () => {
    expect(() => setHeaderNonce(new Uint8Array(175), 1n)).toThrow(/expected 176/);
  });
});
