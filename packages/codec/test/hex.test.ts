import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../src/index.js";

describe("toHex", () => {
  it("is Buffer's lowercase hex for every length, short (copied) and long (a view), and for views at an offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(8), (bytes, cut) => {
        const expected = Buffer.from(bytes).toString("hex");
        expect(toHex(bytes)).toBe(expected);
        // A view into a larger buffer (what decoders hand out): only its own bytes.
        const inner = bytes.subarray(Math.min(cut, bytes.length));
        expect(toHex(inner)).toBe(Buffer.from(inner).toString("hex"));
        expect(toHex(fromHex(expected, "hex"))).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses what is not bytes", () => {
    expect(() => toHex("00" as unknown as Uint8Array)).toThrow(/toHex input: expected a Uint8Array/);
  });
});

describe("fromHex", () => {
  /** The rule as it reads: lowercase hex of even length, then exactly `length` bytes when given. */
  const reference = (hex: unknown, length?: number): Uint8Array | string => {
    if (typeof hex !== "string" || !/^(?:[0-9a-f]{2})*$/.test(hex)) return "not hex";
    if (length !== undefined && hex.length !== length * 2) return "length";
    return new Uint8Array(Buffer.from(hex, "hex"));
  };
  const decoded = (hex: unknown, length?: number): Uint8Array | string => {
    try {
      return fromHex(hex as string, "field", length);
    } catch (err) {
      const { code, message } = err as { code: string; message: string };
      expect(code).toBe("DECODE_SCHEMA");
      return message.includes("lowercase hex") ? "not hex" : "length";
    }
  };
  // Strings near hex: every hex digit, uppercase, the characters beside the digit ranges, and
  // code units past ASCII whose low byte is a hex digit's.
  const near = fc.constantFrom(..."0123456789abcdefABCDEF/:`g G\u0130\u0161\u0661\uff10");

  it("takes lowercase hex of even length and refuses the rest as a regex-and-Buffer decoder does", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString("hex")),
          fc.array(near, { maxLength: 20 }).map((cs) => cs.join("")),
          fc.string({ maxLength: 20 }),
        ),
        fc.option(fc.nat(40), { nil: undefined }),
        (hex, length) => {
          expect(decoded(hex, length)).toEqual(reference(hex, length));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("refuses what is not a string, and says which field and why", () => {
    for (const v of [undefined, null, 12, ["00"], new Uint8Array(2)]) expect(decoded(v)).toBe("not hex");
    expect(() => fromHex("0g", "memo")).toThrow("memo: expected lowercase hex with an even length");
    expect(() => fromHex("00", "to", 20)).toThrow("to: expected 20 bytes, got 1");
  });
});
