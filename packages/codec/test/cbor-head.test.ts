import { describe, expect, it } from "vitest";
import { headSize, putHead } from "../src/cbor-head.js";
import { encodeCanonical } from "../src/index.js";
import { UINT_BOUNDARIES } from "./uint-boundaries.js";

const bigs = UINT_BOUNDARIES.filter((v) => v <= 2n ** 53n);
const tops = UINT_BOUNDARIES.filter((v) => v > 2n ** 53n);

function head(major: number, v: number | bigint): Uint8Array {
  const out = new Uint8Array(9);
  const end = putHead(out, 0, major, v);
  expect(end, `${v}`).toBe(headSize(v));
  return out.subarray(0, end);
}

describe("the CBOR head rule (one for CborWriter and writeSignedTransfer)", () => {
  it("writes an unsigned integer as the canonical encoder does, from a number or a bigint", () => {
    for (const v of [...bigs, ...tops]) {
      expect(head(0, v), `${v}n`).toEqual(encodeCanonical(v));
      if (v <= BigInt(Number.MAX_SAFE_INTEGER))
        expect(head(0, Number(v)), `${v}`).toEqual(encodeCanonical(v));
    }
  });

  it("puts the major type in the top three bits and the same argument bytes for every major", () => {
    for (const major of [1, 2, 3, 4, 5, 6, 7])
      for (const v of bigs) {
        const uint = head(0, v);
        const got = head(major, v);
        expect(got[0]! >> 5).toBe(major);
        expect(got[0]! & 0x1f).toBe(uint[0]! & 0x1f);
        expect(got.subarray(1)).toEqual(uint.subarray(1));
      }
  });

  it("writes at the given position and leaves the bytes around it alone", () => {
    const out = new Uint8Array(16).fill(0xee);
    expect(putHead(out, 3, 2, 300)).toBe(6);
    expect([...out]).toEqual([0xee, 0xee, 0xee, 0x59, 0x01, 0x2c, ...new Array(10).fill(0xee)]);
  });
});
