import { spendPk } from "@p2pnode/stark";
import { describe, expect, it } from "vitest";
import {
  addressOf,
  decodeAddress,
  encodeAddress,
  ShieldedError,
  spendingKeyFromSeed,
  viewingKeyOf,
} from "../src/index.js";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ShieldedError ? e.code : `not a ShieldedError: ${String(e)}`;
  }
  return undefined;
}

describe("shielded keys and addresses", () => {
  const sk = spendingKeyFromSeed(new Uint8Array(32).fill(1));

  it("derives the same keys from the same seed, different ones from another", () => {
    expect(spendingKeyFromSeed(new Uint8Array(32).fill(1))).toEqual(sk);
    expect(spendingKeyFromSeed(new Uint8Array(32).fill(2))).not.toEqual(sk);
    expect(viewingKeyOf(sk).pk).toEqual(spendPk(sk));
    expect(code(() => spendingKeyFromSeed(new Uint8Array(8)))).toBe("BAD_KEY");
    expect(code(() => viewingKeyOf([1, 2, 3]))).toBe("BAD_KEY");
  });

  it("round-trips an address through its string form", () => {
    const a = addressOf(sk);
    const s = encodeAddress(a);
    expect(s).toMatch(/^zs[0-9a-f]{136}$/);
    expect(decodeAddress(s)).toEqual(a);
    expect(addressOf(viewingKeyOf(sk))).toEqual(a);
  });

  it("refuses a mistyped, truncated or malformed address with BAD_ADDRESS", () => {
    const s = encodeAddress(addressOf(sk));
    const typo = s.slice(0, 10) + (s[10] === "a" ? "b" : "a") + s.slice(11);
    for (const bad of [typo, s.slice(0, -2), `zt${s.slice(2)}`, s.toUpperCase(), `zs${"ff".repeat(68)}`, ""])
      expect(
        code(() => decodeAddress(bad)),
        bad.slice(0, 12),
      ).toBe("BAD_ADDRESS");
  });
});
