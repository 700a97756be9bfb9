import { StarkError } from "./errors.js";
/**
 * The KoalaBear prime field, p = 2^31 − 2^24 + 1 = 127·2^24 + 1 (Plonky3's KoalaBear).
 *
 * Why KoalaBear rather than BabyBear: gcd(3, p − 1) = 1, so x ↦ x³ is a permutation and the
 * Rescue S-box has degree 3 instead of BabyBear's 7. Degree-3 constraints need blowup 4 and two
 * composition columns; degree 7 would need blowup 8 and six, roughly tripling prover work.
 * Two-adicity 24 allows evaluation domains up to 2^24.
 *
 * Elements are plain JS numbers in [0, p). A product is reduced exactly with doubles: the float
 * quotient q = ⌊a·b/p⌋ is off by at most one, and only when a·b/p lies within ~1e-6 of an
 * integer, so r = a·b − q·p computed modulo 2^32 with Math.imul lies in (−2^11, p + 2^11), a range
 * that the signed 32-bit view represents exactly; one conditional add or subtract corrects it.
 */
export const P = 0x7f000001;
export const P_BIG = BigInt(P);
export const TWO_ADICITY = 24;
/** A generator of the multiplicative group (order p − 1 = 2^24 · 127). */
export const GENERATOR = 3;
const INV_P = 1 / P;

export function add(a: number, b: number): number {
  const r = a + b;
  return r >= P ? r - P : r;
}

export function sub(a: number, b: number): number {
  const r = a - b;
  return r < 0 ? r + P : r;
}

export function neg(a: number): number {
  return a === 0 ? 0 : P - a;
}

export function mul(a: number, b: number): number {
  const q = Math.floor(a * b * INV_P);
  const r = (Math.imul(a, b) - Math.imul(q, P)) | 0;
  return r < 0 ? r + P : r >= P ? r - P : r;
}

export function pow(base: number, exp: number | bigint): number {
  // Exponents here are < 2^53 except in tests; plain number arithmetic is ~20x faster than BigInt.
  if (typeof exp === "bigint" && exp > BigInt(Number.MAX_SAFE_INTEGER)) {
    let e = exp;
    let b = base;
    let r = 1;
    while (e > 0n) {
      if (e & 1n) r = mul(r, b);
      b = mul(b, b);
      e >>= 1n;
    }
    return r;
  }
  let e = Number(exp);
  let b = base;
  let r = 1;
  while (e > 0) {
    if (e % 2 === 1) r = mul(r, b);
    b = mul(b, b);
    e = Math.floor(e / 2);
  }
  return r;
}

/** Multiplicative inverse; inv(0) is 0 (callers that can see 0 check first). */
export function inv(a: number): number {
  return pow(a, P - 2);
}

/** Reduces any safe integer (possibly negative) into [0, p). */
export function fromInt(x: number): number {
  const r = x % P;
  return r < 0 ? r + P : r;
}

/** Primitive 2^k-th root of unity. */
export function rootOfUnity(logN: number): number {
  if (logN > TWO_ADICITY)
    throw new StarkError("TRACE_TOO_LARGE", `no 2^${logN}-th root of unity in KoalaBear`);
  return pow(pow(GENERATOR, (P - 1) / 2 ** TWO_ADICITY), 2 ** (TWO_ADICITY - logN));
}

/** Montgomery's trick: inverts every element with one field inversion (zeros stay zero). `out` may alias `xs`. */
export function batchInv(xs: Uint32Array, out: Uint32Array = new Uint32Array(xs.length)): Uint32Array {
  const n = xs.length;
  const prefix = new Uint32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    const x = xs[i]!;
    if (x !== 0) acc = mul(acc, x);
  }
  let invAcc = inv(acc);
  for (let i = n - 1; i >= 0; i--) {
    const x = xs[i]!;
    if (x === 0) {
      out[i] = 0;
      continue;
    }
    out[i] = mul(prefix[i]!, invAcc);
    invAcc = mul(invAcc, x);
  }
  return out;
}
