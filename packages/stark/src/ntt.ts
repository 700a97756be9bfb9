import { StarkError } from "./errors.js";
import { inv, mul, P, pow, rootOfUnity } from "./field.js";

/**
 * Radix-2 number-theoretic transforms over KoalaBear, in place, natural order in and out.
 * Twiddles are laid out per stage (tw[h + k] = ω_{2h}^k) so every stage reads them contiguously.
 * The butterfly multiplies inline (same float reduction as field.mul) because a call per
 * butterfly costs ~30% at 2^18 points.
 */
const INV_P = 1 / P;
const forwardTw = new Map<number, Uint32Array>();
const inverseTw = new Map<number, Uint32Array>();

function twiddles(logN: number, inverse: boolean): Uint32Array {
  const cache = inverse ? inverseTw : forwardTw;
  let tw = cache.get(logN);
  if (tw) return tw;
  const n = 1 << logN;
  tw = new Uint32Array(Math.max(n, 2));
  for (let h = 1, log = 1; h < n; h <<= 1, log++) {
    const root = rootOfUnity(log);
    const w = inverse ? inv(root) : root;
    let x = 1;
    for (let k = 0; k < h; k++) {
      tw[h + k] = x;
      x = mul(x, w);
    }
  }
  cache.set(logN, tw);
  return tw;
}

function log2Exact(n: number): number {
  const log = Math.log2(n);
  if (!Number.isInteger(log))
    throw new StarkError("BAD_PARAMETERS", `transform size ${n} is not a power of two`);
  return log;
}

function bitReverse(a: Uint32Array): void {
  const n = a.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

function transform(a: Uint32Array, inverse: boolean): void {
  const n = a.length;
  if (n <= 1) return;
  const tw = twiddles(log2Exact(n), inverse);
  bitReverse(a);
  for (let h = 1; h < n; h <<= 1) {
    const step = h << 1;
    if (h < 64) {
      // Few twiddles, many groups: keep one twiddle in a register and stride through the groups.
      for (let k = 0; k < h; k++) {
        const w = tw[h + k]!;
        for (let i = k; i < n; i += step) {
          const x = a[i + h]!;
          const q = Math.floor(x * w * INV_P);
          let v = (Math.imul(x, w) - Math.imul(q, P)) | 0;
          v = v < 0 ? v + P : v >= P ? v - P : v;
          const u = a[i]!;
          const s = u + v;
          a[i] = s >= P ? s - P : s;
          const d = u - v;
          a[i + h] = d < 0 ? d + P : d;
        }
      }
      continue;
    }
    for (let start = 0; start < n; start += step) {
      for (let k = 0; k < h; k++) {
        const i = start + k;
        const w = tw[h + k]!;
        const x = a[i + h]!;
        const q = Math.floor(x * w * INV_P);
        let v = (Math.imul(x, w) - Math.imul(q, P)) | 0;
        v = v < 0 ? v + P : v >= P ? v - P : v;
        const u = a[i]!;
        const s = u + v;
        a[i] = s >= P ? s - P : s;
        const d = u - v;
        a[i + h] = d < 0 ? d + P : d;
      }
    }
  }
  if (inverse) {
    const nInv = inv(n);
    for (let i = 0; i < n; i++) a[i] = mul(a[i]!, nInv);
  }
}

/** Coefficients → evaluations on ⟨ω_n⟩, in place. */
export function ntt(a: Uint32Array): Uint32Array {
  transform(a, false);
  return a;
}

/** Evaluations on ⟨ω_n⟩ → coefficients, in place. */
export function intt(a: Uint32Array): Uint32Array {
  transform(a, true);
  return a;
}

/** Multiplies coefficient i by s^i (moves a polynomial's evaluation domain to the coset s·⟨ω⟩). */
export function scaleByPowers(a: Uint32Array, s: number): Uint32Array {
  let x = 1;
  for (let i = 0; i < a.length; i++) {
    a[i] = mul(a[i]!, x);
    x = mul(x, s);
  }
  return a;
}

/** Evaluations on shift·⟨ω_n⟩ → coefficients, in place. */
export function cosetIntt(a: Uint32Array, shift: number): Uint32Array {
  return scaleByPowers(intt(a), inv(shift));
}

/** Coefficients → evaluations on shift·⟨ω_n⟩, in place. */
export function cosetNtt(a: Uint32Array, shift: number): Uint32Array {
  return ntt(scaleByPowers(a, shift));
}

/**
 * Low-degree extension: from `coeffs` (length n) to evaluations on shift·⟨ω_{n·2^blowupLog}⟩,
 * natural order. Done as 2^blowupLog size-n transforms over the cosets shift·ω_N^k·⟨ω_n⟩ and
 * interleaved (point j·B + k belongs to coset k), cheaper than one zero-padded size-N transform.
 */
export function ldeFromCoeffs(coeffs: Uint32Array, blowupLog: number, shift: number): Uint32Array {
  const n = coeffs.length;
  const b = 1 << blowupLog;
  const out = new Uint32Array(n * b);
  const wN = rootOfUnity(log2Exact(n) + blowupLog);
  const tmp = new Uint32Array(n);
  for (let k = 0; k < b; k++) {
    tmp.set(coeffs);
    ntt(scaleByPowers(tmp, mul(shift, pow(wN, k))));
    for (let j = 0; j < n; j++) out[j * b + k] = tmp[j]!;
  }
  return out;
}

/** Evaluates a polynomial given by coefficients at one base-field point (Horner). */
export function evalPoly(coeffs: ArrayLike<number>, x: number): number {
  let r = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) r = (mul(r, x) + coeffs[i]!) % P;
  return r;
}
