/**
 * A 256-bit keyed mixing hash in plain JS (four murmur3-style 32-bit lanes over 32-bit words),
 * for the simulation's ideal signatures and block ids: collision-free in practice over a run and
 * several times cheaper than a node:crypto SHA-256 call on small inputs. Not a cryptographic
 * hash; the simulated adversary never searches for collisions, it only replays and forges by hand.
 */
export function fastHash(...parts: Uint8Array[]): Uint8Array {
  let a = 0x243f6a88;
  let b = 0x85a308d3;
  let c = 0x13198a2e;
  let d = 0x03707344;
  let length = 0;
  for (const p of parts) {
    const n = p.length;
    for (let i = 0; i < n; i += 4) {
      let k = p[i]! | ((p[i + 1] ?? 0) << 8) | ((p[i + 2] ?? 0) << 16) | ((p[i + 3] ?? 0) << 24);
      k = Math.imul(k ^ (length + i), 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      a = Math.imul(((a ^ k) << 13) | ((a ^ k) >>> 19), 5) + 0xe6546b64;
      b = Math.imul(b ^ Math.imul(k, 0x1b873593), 0x85ebca6b) ^ (a >>> 7);
      c = Math.imul(c + k, 0xc2b2ae35) ^ (b >>> 11);
      d = Math.imul(d ^ (c >>> 5), 0x27d4eb2f) + k;
    }
    length += n;
  }
  const out = new Uint8Array(32);
  let x = [a, b, c, d];
  for (let round = 0; round < 2; round++) {
    x = x.map((v, i) => {
      let h = (v ^ x[(i + 1) & 3]! ^ length ^ round) >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    });
    for (let i = 0; i < 4; i++) {
      const v = x[i]!;
      const o = round * 16 + i * 4;
      out[o] = v >>> 24;
      out[o + 1] = (v >>> 16) & 0xff;
      out[o + 2] = (v >>> 8) & 0xff;
      out[o + 3] = v & 0xff;
    }
  }
  return out;
}
