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
  // H has degree < chunks·n, so it is evaluated on the sub-coset of the LDE of that size only
  // (every step-th LDE point): half the constraint evaluations at blowup 4 and degree 3.
  const evalLog = compositionEvalLog(air);
  const step = 1 << (blowupLog - evalLog);
  const b = 1 << evalLog;
  const size = n * b;
  const mask = size - 1;
  const wN = rootOfUnity(Math.log2(size));
  const gLast = pow(rootOfUnity(Math.log2(n)), n - 1);
  const shift = DOMAIN_SHIFT;
  const nT = air.numTransitionConstraints;

  // 1/(x^n − 1) takes B values: x_i^n = shift^n·ω_B^i.
  const xnInv = new Uint32Array(b);
  const wB = rootOfUnity(evalLog);
  for (let k = 0, s = pow(shift, n); k < b; k++, s = mul(s, wB)) xnInv[k] = sub(s, 1);
  batchInv(xnInv, xnInv);

  const periodic = air.periodicColumns.map((col) => periodicOnLde(col, n, evalLog, shift));
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
    const li = i * step;
    const lj = ((i + b) & mask) * step;
    for (let c = 0; c < w; c++) {
      const col = lde[c]!;
      cur[c] = col[li]!;
      next[c] = col[lj]!;
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
        const v = sub(lde[c.col]![li]!, c.v);
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

/** log2 of the composition evaluation domain over the trace domain: ⌈log2(chunks)⌉. */
export function compositionEvalLog(air: Air): number {
  return Math.ceil(Math.log2(compositionChunks(air)));
}

/**
 * Splits H (evaluated on its sub-coset) into chunks H_k of degree < n with
 * H(x) = Σ_k x^{kn}·H_k(x); returns each chunk's coefficients and its evaluations on the LDE.
 * In strict mode a nonzero coefficient beyond the chunks (possible only when the evaluation
 * domain is larger than chunks·n) means the trace does not satisfy the constraints.
 */
export function splitComposition(
  h: ExtVec,
  n: number,
  chunks: number,
  blowupLog: number,
  strict: boolean,
): { coeffs: ExtVec[]; lde: ExtVec[] } {
  const coeffs: ExtVec[] = Array.from({ length: chunks }, () => extVec(n));
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
  const lde = coeffs.map(
    (ck): ExtVec => [
      ldeFromCoeffs(ck[0], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[1], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[2], blowupLog, DOMAIN_SHIFT),
      ldeFromCoeffs(ck[3], blowupLog, DOMAIN_SHIFT),
    ],
  );
  return { coeffs, lde };
}
