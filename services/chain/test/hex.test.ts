import { randomBytes } from "node:crypto";
import { CodecError } from "@p2pnode/codec";
import { describe, expect, it } from "vitest";
import { hex, unhex } from "../src/store.js";

describe("the chain's hex helpers (codec's one rule)", () => {
  it("round-trip bytes of every length from 0 to 100", () => {
    for (let n = 0; n <= 100; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(unhex(hex(bytes))).toEqual(bytes);
      expect(hex(unhex(hex(bytes)))).toBe(Buffer.from(bytes).toString("hex"));
    }
  });

  it("refuse what Buffer's decoder would cut short without a word", () => {
    // Buffer.from(s, "hex") stops at the first bad pair: these gave 0, 1 and 1 bytes.
    for (const bad of ["zz", "0a0", "0aZZ", "0A", " 0a"]) {
      expect(() => unhex(bad), bad).toThrow(CodecError);
    }
  });
});
