import { hash } from "node:crypto";
import { assertBytes } from "./errors.js";
import { SHORT_SHA256_MAX, sha256Short } from "./sha256-short.js";

/**
 * SHA-256 of the concatenation of `parts`. A single part of up to four blocks (tx ids of
 * transfers, block headers) is hashed in JavaScript (sha256-short.ts: ~0.9 µs for a transfer's
 * ~190 bytes against ~2.9 µs through the call into OpenSSL, and no Buffer per digest); anything
 * longer or in pieces by node:crypto's one-shot `crypto.hash` over the joined parts (OpenSSL's
 * assembly, about half the cost of a createHash() object per call).
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  parts.forEach((p, i) => {
    assertBytes(p, `sha256 input ${i}`);
  });
  if (parts.length === 1 && parts[0]!.length <= SHORT_SHA256_MAX) {
    const digest = new Uint8Array(32);
    sha256Short(parts[0]!, parts[0]!.length, digest, 0);
    return digest;
  }
  const d = hash("sha256", parts.length === 1 ? parts[0]! : Buffer.concat(parts), "buffer") as Buffer;
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
