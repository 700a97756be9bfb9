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
