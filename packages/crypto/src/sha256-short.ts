/*
 * SHA-256 (FIPS 180-4) of short messages (up to four blocks), in JavaScript (sha256-words.ts's
 * compression): the Merkle root's leaves that are not 32 bytes (merkle.ts hashes 32-byte tx ids
 * and every inner node on words directly), the public keys addresses are derived from, and every
 * short sha256() (hash.ts): tx ids of transfers, block headers.
 *
 * Why not node:crypto here: each `crypto.hash` call costs ~1.5 µs on the 2-core machine, almost
 * all of it the call into OpenSSL and the result's Buffer, not the few compressions: a transfer's
 * ~190-byte encoding hashed in 2.9 µs there and ~0.9 µs here (one compression ~0.2 µs). Past four
 * blocks OpenSSL's assembly wins, so longer messages stay with it (hash.ts). This writes the
 * digest into a caller's buffer, with no allocation per hash; the tests hold it equal to
 * node:crypto on every message length it takes.
 */

import { compress, SHA256_IV } from "./sha256-words.js";

/** Blocks of the longest message hashed here. */
const MAX_BLOCKS = 4;
/** The longest message hashed here: four blocks less the padding byte and the 8-byte length. */
export const SHORT_SHA256_MAX = MAX_BLOCKS * 64 - 9;

// Scratch state, reused by every call: the function is synchronous and never re-entered.
const WORDS = new Uint32Array(MAX_BLOCKS * 16);
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
  const blocks = (length + 9 + 63) >> 6;
  const words = blocks * 16;
  const m = message;
  // The padded message as big-endian words, read straight from `message`: its bytes, 0x80, zeros,
  // and the length in bits in the last 8 bytes (≤ 1,976 bits: the last word holds it all).
  const whole = length >> 2;
  for (let i = 0; i < whole; i++) {
    const j = i * 4;
    WORDS[i] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!;
  }
  let tail = 0;
  for (let j = whole * 4; j < whole * 4 + 4; j++)
    tail = (tail << 8) | (j < length ? m[j]! : j === length ? 0x80 : 0);
  WORDS[whole] = tail;
  for (let i = whole + 1; i < words - 1; i++) WORDS[i] = 0;
  WORDS[words - 1] = length * 8;
  compress(SHA256_IV, 0, WORDS, 0, STATE, 0);
  for (let b = 1; b < blocks; b++) compress(STATE, 0, WORDS, b * 16, STATE, 0);
  for (let i = 0; i < 8; i++) {
    const v = STATE[i]!;
    const o = at + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  }
}
