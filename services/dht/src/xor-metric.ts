import { randomBytes } from "node:crypto";
import { ID_BYTES } from "@p2pnode/codec/dht";

/*
 * Kademlia's XOR metric over 256-bit ids: NodeIds (crypto's nodeIdOf, SHA-256 of the identity
 * key) and value keys share one space.
 */

export const ID_BITS = ID_BYTES * 8;

/** Common prefix length of two ids in bits (256 when equal): the bucket index of `b` seen from `a`. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/** Negative when `a` is closer to `target` than `b` (XOR metric), 0 when equally close. */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

/** A random id whose common prefix with `self` is exactly `bits`: a target inside that bucket. */
export function randomIdInBucket(self: Uint8Array, bits: number): Uint8Array {
  const id = new Uint8Array(randomBytes(ID_BYTES));
  const whole = bits >> 3;
  id.set(self.subarray(0, whole));
  if (whole < ID_BYTES) {
    const bit = bits & 7;
    const keep = (0xff00 >> bit) & 0xff; // bits of self kept in this byte
    const flip = 0x80 >> bit; // the first differing bit
    id[whole] =
      ((self[whole]! & keep) | (~self[whole]! & flip & 0xff) | (id[whole]! & ~(keep | flip))) & 0xff;
  }
  return id;
}
