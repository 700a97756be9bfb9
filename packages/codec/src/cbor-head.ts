/*
 * The CBOR head rule (RFC 8949 §3 and §4.2.1): a major type and its argument, in the shortest
 * form. One rule for every writer of the codec: CborWriter (any schema) and writeSignedTransfer
 * (a transfer written into an array of its exact size, which needs the size first).
 */

/** Bytes of a head whose argument is `v` (a non-negative integer): 1, 2, 3, 5 or 9. */
export function headSize(v: number | bigint): number {
  if (typeof v === "bigint")
    return v < 24n ? 1 : v < 0x100n ? 2 : v < 0x1_0000n ? 3 : v < 0x1_0000_0000n ? 5 : 9;
  return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x1_0000 ? 3 : v < 0x1_0000_0000 ? 5 : 9;
}

/** Writes the head at `pos` (`out` has headSize(v) bytes of room there); returns the position after it. */
export function putHead(out: Uint8Array, pos: number, major: number, v: number | bigint): number {
  const size = headSize(v);
  const m = major << 5;
  if (size === 1) {
    out[pos] = m | Number(v);
    return pos + 1;
  }
  out[pos] = m | (size === 2 ? 24 : size === 3 ? 25 : size === 5 ? 26 : 27);
  if (size === 9) {
    const b = BigInt(v);
    putUint32(out, pos + 1, Number(b >> 32n));
    putUint32(out, pos + 5, Number(b & 0xffff_ffffn));
  } else {
    // Below 2^32: the argument's size - 1 bytes, big-endian.
    let n = Number(v);
    for (let i = size - 1; i >= 1; i--) {
      out[pos + i] = n & 0xff;
      n >>>= 8;
    }
  }
  return pos + size;
}

function putUint32(out: Uint8Array, pos: number, n: number): void {
  out[pos] = n >>> 24;
  out[pos + 1] = (n >>> 16) & 0xff;
  out[pos + 2] = (n >>> 8) & 0xff;
  out[pos + 3] = n & 0xff;
}
