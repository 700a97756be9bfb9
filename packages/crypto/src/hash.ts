import { createHash } from "node:crypto";
import { assertBytes } from "./errors.js";

/** SHA-256 of the concatenation of `parts` (node:crypto, so OpenSSL's assembly does the work). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  parts.forEach((p, i) => {
    assertBytes(p, `sha256 input ${i}`);
    h.update(p);
  });
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}
