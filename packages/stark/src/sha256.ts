import { compress, SHA256_IV } from "@p2pnode/crypto/sha256-words";
import { StarkError } from "./errors.js";

/*
 * SHA-256 (FIPS 180-4) of messages of 32-bit words, allocation-free. Merkle trees spend most of
 * the prover's time here, and a per-call byte API costs ~3x more than the word-level compression
 * (crypto's, the project's one JavaScript SHA-256). Messages are sequences of big-endian 32-bit
 * words, so field elements are hashed as-is.
 */
export { compress, SHA256_IV };

const BLOCK = new Uint32Array(16);
const STATE = new Uint32Array(8);

/** SHA-256 of the 4·len bytes formed by words m[mo..mo+len] in big-endian; digest to out[oo..oo+8]. */
export function hashWords(m: Uint32Array, mo: number, len: number, out: Uint32Array, oo: number): void {
  STATE.set(SHA256_IV);
  let i = 0;
  for (; i + 16 <= len; i += 16) compress(STATE, 0, m, mo + i, STATE, 0);
  const rest = len - i;
  BLOCK.fill(0);
  for (let j = 0; j < rest; j++) BLOCK[j] = m[mo + i + j]!;
  BLOCK[rest] = 0x80000000;
  const bits = len * 32;
  if (rest >= 14) {
    compress(STATE, 0, BLOCK, 0, STATE, 0);
    BLOCK.fill(0);
  }
  BLOCK[14] = Math.floor(bits / 0x100000000);
  BLOCK[15] = bits >>> 0;
  compress(STATE, 0, BLOCK, 0, out, oo);
}

/** SHA-256 of arbitrary bytes (transcript and tests; not on a hot path). */
export function sha256(bytes: Uint8Array): Uint8Array {
  const len = bytes.length;
  const blocks = Math.ceil((len + 9) / 64);
  const words = new Uint32Array(blocks * 16);
  for (let i = 0; i < len; i++) words[i >> 2]! |= bytes[i]! << (24 - 8 * (i & 3));
  words[len >> 2]! |= 0x80 << (24 - 8 * (len & 3));
  const bits = len * 8;
  words[blocks * 16 - 2] = Math.floor(bits / 0x100000000);
  words[blocks * 16 - 1] = bits >>> 0;
  const st = new Uint32Array(SHA256_IV);
  for (let b = 0; b < blocks; b++) compress(st, 0, words, b * 16, st, 0);
  return wordsToBytes(st);
}

export function wordsToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) dv.setUint32(i * 4, words[i]!, false);
  return out;
}

export function bytesToWords(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0)
    throw new StarkError("BAD_PARAMETERS", `expected a multiple of 4 bytes, got ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(i * 4, false);
  return out;
}
