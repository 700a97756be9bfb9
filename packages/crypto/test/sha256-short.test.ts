import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { addressOf } from "../src/address.js";
import { sha256 } from "../src/hash.js";
import { SHORT_SHA256_MAX, sha256Short } from "../src/sha256-short.js";

const reference = (m: Uint8Array) => createHash("sha256").update(m).digest("hex");
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");

describe("sha256Short (the Merkle tree's JavaScript SHA-256)", () => {
  it("equals node:crypto's SHA-256 for every length it takes, on random and edge-valued bytes", () => {
    for (let len = 0; len <= SHORT_SHA256_MAX; len++) {
      for (const message of [
        randomBytes(len),
        randomBytes(len),
        Buffer.alloc(len, 0xff),
        Buffer.alloc(len, 0),
      ]) {
        const out = new Uint8Array(32);
        sha256Short(message, len, out, 0);
        expect(hex(out), `length ${len}`).toBe(reference(message));
      }
    }
  });

  it("hashes only the first `length` bytes and writes only its 32 output bytes", () => {
    const message = randomBytes(100);
    const out = new Uint8Array(96).fill(7);
    sha256Short(message, 65, out, 32);
    expect(hex(out.subarray(32, 64))).toBe(reference(message.subarray(0, 65)));
    expect(out.subarray(0, 32).every((b) => b === 7) && out.subarray(64).every((b) => b === 7)).toBe(true);
  });

  it("may write its digest over its own message (the Merkle levels are hashed in place)", () => {
    const buffer = randomBytes(65);
    const expected = reference(buffer);
    sha256Short(buffer, 65, buffer, 0);
    expect(hex(buffer.subarray(0, 32))).toBe(expected);
  });

  it("refuses a message longer than four blocks can pad, or no room for the digest", () => {
    expect(SHORT_SHA256_MAX).toBe(247);
    expect(() => sha256Short(new Uint8Array(248), 248, new Uint8Array(32), 0)).toThrow(RangeError);
    expect(() => sha256Short(new Uint8Array(10), 11, new Uint8Array(32), 0)).toThrow(RangeError);
    expect(() => sha256Short(new Uint8Array(10), 10, new Uint8Array(40), 9)).toThrow(RangeError);
  });
});

describe("sha256 (JavaScript up to four blocks, node:crypto past them)", () => {
  it("equals node:crypto's SHA-256 on every length across the switch, in one part and in pieces", () => {
    for (let len = 0; len <= 2 * SHORT_SHA256_MAX; len++) {
      const message = randomBytes(len);
      expect(hex(sha256(message)), `length ${len}`).toBe(reference(message));
      const cut = len >> 1;
      expect(hex(sha256(message.subarray(0, cut), message.subarray(cut))), `length ${len} in two`).toBe(
        reference(message),
      );
    }
  });

  it("gives each call a digest of its own (the JavaScript route hashes into scratch space)", () => {
    const a = sha256(Uint8Array.of(1));
    const b = sha256(Uint8Array.of(2));
    expect(hex(a)).toBe(reference(Uint8Array.of(1)));
    expect(hex(b)).toBe(reference(Uint8Array.of(2)));
  });
});

describe("addressOf (sha256Short of the public key)", () => {
  it("is the first 20 bytes of node:crypto's SHA-256 of the key, a new array each call", () => {
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(32);
      const a = addressOf(key);
      expect(Buffer.from(a).equals(createHash("sha256").update(key).digest().subarray(0, 20))).toBe(true);
      const b = addressOf(randomBytes(32));
      expect(a).not.toBe(b);
      expect(Buffer.from(a).equals(createHash("sha256").update(key).digest().subarray(0, 20))).toBe(true);
    }
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => addressOf(new Uint8Array(31))).toThrow(/public key/);
  });
});
