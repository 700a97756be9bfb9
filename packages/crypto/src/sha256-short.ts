/*
 * SHA-256 (FIPS 180-4) of short messages, in JavaScript (sha256-words.ts's compression), for the Merkle tree's nodes
 * and leaves.
 *
 * Why not node:crypto here: a 1,000-tx block hashes ~2,000 Merkle leaves and nodes of 33 and 65
 * bytes. Each `crypto.hash` call costs ~1.5 µs on the 2-core machine, almost all of it the call
 * into OpenSSL and the result's Buffer, not the one or two compressions (~0.4 µs each here). This
 * writes the digest into a caller's buffer, with no allocation per hash. Every other hash (tx
 * ids, headers, anything of arbitrary length) stays with node:crypto (hash.ts); the tests hold
 * this one equal to it on every message length it takes.
 */

import { compress, SHA256_IV } from "./sha256-words.js";

/** The longest message hashed here: two blocks less the padding byte and the 8-byte length. */
export const SHORT_SHA256_MAX = 119;

// Scratch state, reused by every call: the function is synchronous and never re-entered.
const PADDED = new Uint8Array(128);
const WORDS = new Uint32Array(32);
const STATE = new Uint32Array(8);

/**
 * SHA-256 of `message[0 .. length)` (length ≤ SHORT_SHA256_MAX), written to `out[at .. at+32)`.
 * `message` is read before `out` is written, so the two may overlap.
 */
export function sha256Short(message: Uint8Array, length: number, out: Uint8Array, at: number): void {
  if (!(length >= 0 && length <= SHORT_SHA256_MAX && length <= message.length))
    throw new RangeError(`sha256Short: length ${length} outside 0..${SHORT_SHA256_MAX} or the message`);
  if (!(at >= 0 && at + 32 <= out.length))
    throw new RangeError(`sha256Short: no 32 bytes at ${at} of the output`);
  const blocks = length <= 55 ? 1 : 2;
  const end = blocks * 64;
  const m = PADDED;
  m.set(message.subarray(0, length));
  m[length] = 0x80;
  m.fill(0, length + 1, end - 4);
  // The message length in bits, big-endian, in the last 8 bytes (≤ 952 bits: the low 4 suffice).
  const bits = length * 8;
  m[end - 4] = bits >>> 24;
  m[end - 3] = bits >>> 16;
  m[end - 2] = bits >>> 8;
  m[end - 1] = bits;
  for (let i = 0, j = 0; j < end; i++, j += 4)
    WORDS[i] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!;
  compress(SHA256_IV, 0, WORDS, 0, STATE, 0);
  if (blocks === 2) compress(STATE, 0, WORDS, 16, STATE, 0);
  for (let i = 0; i < 8; i++) {
    const v = STATE[i]!;
    const o = at + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  }
}
