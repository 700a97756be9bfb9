import { add, inv, mul, P, sub } from "./field.js";

/**
 * The quartic extension F_p[x]/(x^4 − 3), where Fiat–Shamir challenges and out-of-domain points
 * live: |F_p^4| ≈ 2^124, so a random challenge hits a bad value with probability ~degree/2^124.
 * x^4 − 3 is irreducible because 3 is a non-square mod p and p ≡ 1 (mod 4) (tested).
 * Elements are 4-tuples (c0, c1, c2, c3) = c0 + c1·x + c2·x² + c3·x³.
 */
export type Ext = readonly [number, number, number, number];
export const W = 3;

export const EXT_ZERO: Ext = [0, 0, 0, 0];
export const EXT_ONE: Ext = [1, 0, 0, 0];

export function ext(c0: number, c1 = 0, c2 = 0, c3 = 0): Ext {
  return [c0, c1, c2, c3];
}

export function eAdd(a: Ext, b: Ext): Ext {
  return [add(a[0], b[0]), add(a[1], b[1]), add(a[2], b[2]), add(a[3], b[3])];
}

export function eSub(a: Ext, b: Ext): Ext {
  return [sub(a[0], b[0]), sub(a[1], b[1]), sub(a[2], b[2]), sub(a[3], b[3])];
}

export function eNeg(a: Ext): Ext {
  return eSub(EXT_ZERO, a);
}

export function eMul(a: Ext, b: Ext): Ext {
  const [a0, a1, a2, a3] = a;
  const [b0, b1, b2, b3] = b;
  const c0 = add(mul(a0, b0), mul(W, add(add(mul(a1, b3), mul(a2, b2)), mul(a3, b1))));
  const c1 = add(add(mul(a0, b1), mul(a1, b0)), mul(W, add(mul(a2, b3), mul(a3, b2))));
  const c2 = add(add(add(mul(a0, b2), mul(a1, b1)), mul(a2, b0)), mul(W, mul(a3, b3)));
  const c3 = add(add(mul(a0, b3), mul(a1, b2)), add(mul(a2, b1), mul(a3, b0)));
  return [c0, c1, c2, c3];
}

/** Extension times base-field scalar. */
export function eScale(a: Ext, s: number): Ext {
  return [mul(a[0], s), mul(a[1], s), mul(a[2], s), mul(a[3], s)];
}

export function eEq(a: Ext, b: Ext): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

export function eIsZero(a: Ext): boolean {
  return a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0;
}

export function ePow(base: Ext, exp: number | bigint): Ext {
  let e = BigInt(exp);
  let b = base;
  let r: Ext = EXT_ONE;
  while (e > 0n) {
    if (e & 1n) r = eMul(r, b);
    b = eMul(b, b);
    e >>= 1n;
  }
  return r;
}

/**
 * Inverse through the tower F_p ⊂ F_p[y]/(y²−3) ⊂ F_p[x]/(x²−y): with a = e(y) + x·o(y),
 * a·(e − x·o) = e² − y·o² lies in the quadratic field, whose inverse needs one base inversion.
 */
export function eInv(a: Ext): Ext {
  const [a0, a1, a2, a3] = a;
  // e = a0 + a2 y, o = a1 + a3 y; b = e² − y·o² = b0 + b1 y  (y² = W)
  const e2_0 = add(mul(a0, a0), mul(W, mul(a2, a2)));
  const e2_1 = mul(2, mul(a0, a2));
  const o2_0 = add(mul(a1, a1), mul(W, mul(a3, a3)));
  const o2_1 = mul(2, mul(a1, a3));
  // y·o² = W·o2_1 + o2_0·y
  const b0 = sub(e2_0, mul(W, o2_1));
  const b1 = sub(e2_1, o2_0);
  const norm = sub(mul(b0, b0), mul(W, mul(b1, b1)));
  const ni = inv(norm);
  const c0 = mul(b0, ni);
  const c1 = mul(P - b1 === P ? 0 : P - b1, ni);
  // (e − x·o)·(c0 + c1 y), with e − x·o = a0 − a1 x + a2 x² − a3 x³ and y = x²
  const conj: Ext = [a0, a1 === 0 ? 0 : P - a1, a2, a3 === 0 ? 0 : P - a3];
  return eMul(conj, [c0, 0, c1, 0]);
}

/** Extension-field Montgomery batch inversion over structure-of-arrays columns (no zeros expected). */
export function eBatchInv(xs: Ext[]): Ext[] {
  const n = xs.length;
  const prefix: Ext[] = new Array(n);
  let acc: Ext = EXT_ONE;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = eMul(acc, xs[i]!);
  }
  let invAcc = eInv(acc);
  const out: Ext[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = eMul(prefix[i]!, invAcc);
    invAcc = eMul(invAcc, xs[i]!);
  }
  return out;
}
