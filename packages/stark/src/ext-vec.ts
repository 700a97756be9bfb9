import { type Ext, eInv, W } from "./ext.js";
import { mul, P } from "./field.js";

/**
 * Extension-field vectors as structure of arrays (one Uint32Array per coordinate), so that
 * transforms run per coordinate and hot loops avoid allocating a tuple per element.
 */
export type ExtVec = [Uint32Array, Uint32Array, Uint32Array, Uint32Array];

export function extVec(n: number): ExtVec {
  return [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
}

export function getExt(v: ExtVec, i: number): Ext {
  return [v[0][i]!, v[1][i]!, v[2][i]!, v[3][i]!];
}

export function setExt(v: ExtVec, i: number, e: Ext): void {
  v[0][i] = e[0];
  v[1][i] = e[1];
  v[2][i] = e[2];
  v[3][i] = e[3];
}

/** Scratch result of `mulTo`, read right after the call. */
export const R = new Uint32Array(4);

/** R = a·b in F_p[x]/(x^4 − W); unreduced partial sums stay below 2^53 before the final %. */
export function mulTo(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
): void {
  const hi0 = (mul(a1, b3) + mul(a2, b2) + mul(a3, b1)) % P;
  const hi1 = (mul(a2, b3) + mul(a3, b2)) % P;
  const hi2 = mul(a3, b3);
  R[0] = (mul(a0, b0) + mul(W, hi0)) % P;
  R[1] = (mul(a0, b1) + mul(a1, b0) + mul(W, hi1)) % P;
  R[2] = (mul(a0, b2) + mul(a1, b1) + mul(a2, b0) + mul(W, hi2)) % P;
  R[3] = (mul(a0, b3) + mul(a1, b2) + mul(a2, b1) + mul(a3, b0)) % P;
}

/** Inverts every element (none may be zero) with one extension inversion. */
export function batchInvExt(v: ExtVec): ExtVec {
  const n = v[0].length;
  const pre = extVec(n);
  let c0 = 1;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let i = 0; i < n; i++) {
    pre[0][i] = c0;
    pre[1][i] = c1;
    pre[2][i] = c2;
    pre[3][i] = c3;
    mulTo(c0, c1, c2, c3, v[0][i]!, v[1][i]!, v[2][i]!, v[3][i]!);
    c0 = R[0]!;
    c1 = R[1]!;
    c2 = R[2]!;
    c3 = R[3]!;
  }
  let [i0, i1, i2, i3] = eInv([c0, c1, c2, c3]);
  for (let i = n - 1; i >= 0; i--) {
    const x0 = v[0][i]!;
    const x1 = v[1][i]!;
    const x2 = v[2][i]!;
    const x3 = v[3][i]!;
    mulTo(pre[0][i]!, pre[1][i]!, pre[2][i]!, pre[3][i]!, i0, i1, i2, i3);
    pre[0][i] = R[0]!;
    pre[1][i] = R[1]!;
    pre[2][i] = R[2]!;
    pre[3][i] = R[3]!;
    mulTo(i0, i1, i2, i3, x0, x1, x2, x3);
    i0 = R[0]!;
    i1 = R[1]!;
    i2 = R[2]!;
    i3 = R[3]!;
  }
  return pre;
}

/** Σ_k coeffs[k]·pows[k] with base-field coefficients (n·p < 2^53 keeps the sums exact). */
export function dotBaseExt(coeffs: Uint32Array, pows: ExtVec): Ext {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < coeffs.length; k++) {
    const c = coeffs[k]!;
    s0 += mul(c, pows[0][k]!);
    s1 += mul(c, pows[1][k]!);
    s2 += mul(c, pows[2][k]!);
    s3 += mul(c, pows[3][k]!);
  }
  return [s0 % P, s1 % P, s2 % P, s3 % P];
}

/** Σ_k coeffs[k]·pows[k] with extension coefficients. */
export function dotExtExt(coeffs: ExtVec, pows: ExtVec): Ext {
  const s = new Float64Array(16);
  const n = coeffs[0].length;
  for (let k = 0; k < n; k++) {
    for (let a = 0; a < 4; a++) {
      const ca = coeffs[a]![k]!;
      for (let b = 0; b < 4; b++) s[a * 4 + b]! += mul(ca, pows[b]![k]!);
    }
  }
  const t = (a: number, b: number) => s[a * 4 + b]! % P;
  const hi0 = (t(1, 3) + t(2, 2) + t(3, 1)) % P;
  const hi1 = (t(2, 3) + t(3, 2)) % P;
  const hi2 = t(3, 3);
  return [
    (t(0, 0) + mul(W, hi0)) % P,
    (t(0, 1) + t(1, 0) + mul(W, hi1)) % P,
    (t(0, 2) + t(1, 1) + t(2, 0) + mul(W, hi2)) % P,
    (t(0, 3) + t(1, 2) + t(2, 1) + t(3, 0)) % P,
  ];
}

/** [1, x, x², …, x^{n−1}] for an extension element, optionally each times scale^k. */
export function extPowers(x: Ext, n: number, scale = 1): ExtVec {
  const out = extVec(n);
  let c0 = 1;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let s = 1;
  for (let k = 0; k < n; k++) {
    out[0][k] = mul(c0, s);
    out[1][k] = mul(c1, s);
    out[2][k] = mul(c2, s);
    out[3][k] = mul(c3, s);
    mulTo(c0, c1, c2, c3, x[0], x[1], x[2], x[3]);
    c0 = R[0]!;
    c1 = R[1]!;
    c2 = R[2]!;
    c3 = R[3]!;
    s = mul(s, scale);
  }
  return out;
}
