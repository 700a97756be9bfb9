import { hash } from "node:crypto";
import { assertBytes } from "./errors.js";

/**
 * SHA-256 of the concatenation of `parts` (node:crypto, so OpenSSL's assembly does the work).
 * One-shot `crypto.hash` over the joined parts: about half the cost of a createHash() object per
 * call for the short inputs hashed here (tx ids, Merkle nodes, headers), measured on Node 20.
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  parts.forEach((p, i) => {
    assertBytes(p, `sha256 input ${i}`);
  });
  const d = hash("sha256", parts.length === 1 ? parts[0]! : Buffer.concat(parts), "buffer") as Buffer;
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
