import { checkWords, DIGEST_WORDS, type Digest, P } from "@p2pnode/stark";
import { ShieldedError } from "./errors.js";

/**
 * Field elements travel as 4-byte big-endian words; a digest is 32 bytes. Every decoder checks
 * lengths first and refuses non-canonical words (≥ p), so one value has one encoding.
 */
export const DIGEST_BYTES = 4 * DIGEST_WORDS;

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => {
    dv.setUint32(4 * i, w, false);
  });
  return out;
}

export function bytesToWords(bytes: Uint8Array, count: number, what: string): number[] {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 4 * count)
    throw new ShieldedError("MALFORMED", `${what}: expected ${4 * count} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const w = dv.getUint32(4 * i, false);
    if (w >= P) throw new ShieldedError("MALFORMED", `${what}: word ${i} is not a field element`);
    out.push(w);
  }
  return out;
}

export function digestToBytes(d: Digest): Uint8Array {
  checkWords(d, DIGEST_WORDS, "digest");
  return wordsToBytes(d);
}

export function digestFromBytes(bytes: Uint8Array, what = "digest"): Digest {
  return bytesToWords(bytes, DIGEST_WORDS, what);
}

export function equalDigests(a: Digest, b: Digest): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

export function fromHexStrict(s: string, bytes: number, what: string): Uint8Array {
  if (typeof s !== "string" || s.length !== 2 * bytes || !/^[0-9a-f]*$/.test(s))
    throw new ShieldedError("MALFORMED", `${what}: expected ${bytes} bytes of lowercase hex`);
  return new Uint8Array(Buffer.from(s, "hex"));
}
