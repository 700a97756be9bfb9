/*
 * The SHA-256 compression function (FIPS 180-4 §6.2.2) on 32-bit words, allocation-free: the one
 * JavaScript SHA-256 of the project. Two hot paths hash too many short messages for a call into
 * node:crypto each: the STARK prover's Merkle trees and transcript (messages of field elements,
 * already words: @p2pnode/stark's sha256.ts), and a block's tx-id Merkle tree (sha256-short.ts).
 * Imported by its own path (@p2pnode/crypto/sha256-words), which pulls in nothing else.
 */
// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes; §5.3.3: the initial hash value, from the square roots of the first 8 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
export const SHA256_IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const WS = new Int32Array(64);

/** One compression: out[oo..oo+8] = compress(h[ho..ho+8], m[mo..mo+16]). `out` may alias `h`. */
export function compress(
  h: Uint32Array,
  ho: number,
  m: Uint32Array,
  mo: number,
  out: Uint32Array,
  oo: number,
): void {
  const w = WS;
  for (let i = 0; i < 16; i++) w[i] = m[mo + i]! | 0;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[ho]! | 0;
  let b = h[ho + 1]! | 0;
  let c = h[ho + 2]! | 0;
  let d = h[ho + 3]! | 0;
  let e = h[ho + 4]! | 0;
  let f = h[ho + 5]! | 0;
  let g = h[ho + 6]! | 0;
  let hh = h[ho + 7]! | 0;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[oo] = (h[ho]! + a) | 0;
  out[oo + 1] = (h[ho + 1]! + b) | 0;
  out[oo + 2] = (h[ho + 2]! + c) | 0;
  out[oo + 3] = (h[ho + 3]! + d) | 0;
  out[oo + 4] = (h[ho + 4]! + e) | 0;
  out[oo + 5] = (h[ho + 5]! + f) | 0;
  out[oo + 6] = (h[ho + 6]! + g) | 0;
  out[oo + 7] = (h[ho + 7]! + hh) | 0;
}
