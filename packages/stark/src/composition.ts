import { type Air, BASE_OPS } from "./air.js";
import { DOMAIN_SHIFT, periodicOnLde } from "./domain.js";
import { StarkError } from "./errors.js";
import type { Ext } from "./ext.js";
import { type ExtVec, extVec } from "./ext-vec.js";
import { batchInv, mul, P, pow, rootOfUnity, sub } from "./field.js";
import { cosetIntt, ldeFromCoeffs } from "./ntt.js";

/** Number of degree-<n columns the composition polynomial is split into. */
export function compositionChunks(air: Air): number {
  return Math.max(1, air.constraintDegree - 1);
}

/**
 * The constraint composition polynomial on the LDE domain:
 *   H(x) = Σ_t α_t·C_t(x)·(x − g^{n−1})/(x^n − 1) + Σ_b α_b·(T_{c_b}(x) − v_b)/(x − g^{r_b}),
 * transition constraints vanishing on every row but the last, boundary ones on their row.
 * `alphas` holds one coefficient per transition constraint, then one per boundary constraint.
 */
export function evaluateComposition(
  air: Air,
  lde: readonly Uint32Array[],
  blowupLog: number,
  alphas: Ext[],
): ExtVec {
  const n = air.traceLength;
  const b = 1 << blowupLog;
  const size = n * b;
  const mask = size - 1;
  const wN = rootOfUnity(Math.log2(size));
  const gLast = pow(rootOfUnity(Math.log2(n)), n - 1);
  const shift = DOMAIN_SHIFT;
  const nT = air.numTransitionConstraints;

  // 1/(x^n − 1) takes B values: x_i^n = shift^n·ω_B^i.
  const xnInv = new Uint32Array(b);
  const wB = rootOfUnity(blowupLog);
  for (let k = 0, s = pow(shift, n); k < b; k++, s = mul(s, wB)) xnInv[k] = sub(s, 1);
  batchInv(xnInv, xnInv);

  const periodic = air.periodicColumns.map((col) => periodicOnLde(col, n, blowupLog, shift));
  const perMasks = periodic.map((t) => t.length - 1);

  // Boundary constraints grouped by row; one batch-inverted denominator per distinct row.
  const rows = [...new Set(air.boundary.map((c) => c.row))];
  const g = rootOfUnity(Math.log2(n));
  const denInv = rows.map((r) => {
    const gr = pow(g, r);
    const d = new Uint32Array(size);
    for (let i = 0, x = shift; i < size; i++, x = mul(x, wN)) d[i] = sub(x, gr);
    return batchInv(d, d);
  });
  const groups = rows.map((r) =>
    air.boundary.flatMap((c, k) => (c.row === r ? [{ col: c.column, v: c.value, a: alphas[nT + k]! }] : [])),
  );

  const a0 = alphas.slice(0, nT).map((a) => a[0]);
  const a1 = alphas.slice(0, nT).map((a) => a[1]);
  const a2 = alphas.slice(0, nT).map((a) => a[2]);
  const a3 = alphas.slice(0, nT).map((a) => a[3]);
  const w = air.width;
  const cur: number[] = new Array(w).fill(0);
  const next: number[] = new Array(w).fill(0);
  const per: number[] = new Array(periodic.length).fill(0);
  const out: number[] = new Array(nT).fill(0);
  const h = extVec(size);
  const fast = air.evalTransitionBase?.bind(air);
  let x = shift;
  for (let i = 0; i < size; i++) {
    const j = (i + b) & mask;
    for (let c = 0; c < w; c++) {
      const col = lde[c]!;
      cur[c] = col[i]!;
      next[c] = col[j]!;
    }
    for (let k = 0; k < periodic.length; k++) per[k] = periodic[k]![i & perMasks[k]!]!;
    if (fast) fast(cur, next, per, out);
    else air.evalTransition(BASE_OPS, cur, next, per, out);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < nT; t++) {
      const v = out[t]!;
      s0 += mul(a0[t]!, v);
      s1 += mul(a1[t]!, v);
      s2 += mul(a2[t]!, v);
      s3 += mul(a3[t]!, v);
    }
    const zi = mul(sub(x, gLast), xnInv[i & (b - 1)]!);
    let h0 = mul(s0 % P, zi);
    let h1 = mul(s1 % P, zi);
    let h2 = mul(s2 % P, zi);
    let h3 = mul(s3 % P, zi);
    for (let r = 0; r < groups.length; r++) {
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (const c of groups[r]!) {
        const v = sub(lde[c.col]![i]!, c.v);
        b0 += mul(c.a[0], v);
        b1 += mul(c.a[1], v);
        b2 += mul(c.a[2], v);
        b3 += mul(c.a[3], v);
      }
      const d = denInv[r]![i]!;
      h0 += mul(b0 % P, d);
      h1 += mul(b1 % P, d);
      h2 += mul(b2 % P, d);
      h3 += mul(b3 % P, d);
    }
    h[0][i] = h0 % P;
    h[1][i] = h1 % P;
    h[2][i] = h2 % P;
    h[3][i] = h3 % P;
    x = mul(x, wN);
  }
  return h;
}

/**
 * Splits H (evaluated on the LDE) into chunks H_k of degree < n with H(x) = Σ_k x^{kn}·H_k(x);
 * returns each chunk's coefficients and its evaluations on the LDE. A nonzero coefficient beyond
 * the chunks means the trace does not satisfy the constraints.
 */
export function splitComposition(
  h: ExtVec,
  n: number,
  chunks: number,
  blowupLog: number,
  strict: boolean,
): { coeffs: ExtVec[]; lde: ExtVec[] } {
  const coeffs: ExtVec[] = Array.from({ length: chunks }, () => extVec(n));
  const lde: ExtVec[] = [];
  for (let c = 0; c < 4; c++) {
    const all = cosetIntt(Uint32Array.from(h[c]!), DOMAIN_SHIFT);
    if (strict) {
      for (let k = chunks * n; k < all.length; k++)
        if (all[k] !== 0)
          throw new StarkError("BAD_WITNESS", "composition polynomial exceeds its degree bound", {
            coefficient: k,
          });
    }
    for (let k = 0; k < chunks; k++) coeffs[k]![c] = all.slice(k * n, (k + 1) * n);
  }
  // Chunks 1.. by transform; chunk 0 as H − Σ_{k≥1} x^{kn}·H_k, since x^n takes only B values on
  // the coset: saves one extension-field LDE (four base transforms).
  for (let k = 1; k < chunks; k++) {
    const ck = coeffs[k]!;
    lde.push([
      ldeFromCoeffs(ck[0], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[1], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[2], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[3], blowupLog, DOMAIN_SHIFT),
    ]);
  }
  const b = 1 << blowupLog;
  const xn = new Uint32Array(b);
  const wB = rootOfUnity(blowupLog);
  for (let i = 0, s = pow(DOMAIN_SHIFT, n); i < b; i++, s = mul(s, wB)) xn[i] = s;
  const h0 = extVec(h[0].length);
  for (let c = 0; c < 4; c++) {
    const src = h[c]!;
    const dst = h0[c]!;
    for (let i = 0; i < src.length; i++) {
      const xi = xn[i & (b - 1)]!;
      let acc = 0;
      let xk = xi;
      for (let k = 1; k < chunks; k++) {
        acc += mul(xk, lde[k - 1]![c]![i]!);
        xk = mul(xk, xi);
      }
      dst[i] = (src[i]! + P - (acc % P)) % P;
    }
  }
  lde.unshift(h0);
  return { coeffs, lde };
}
