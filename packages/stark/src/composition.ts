import { type Air, BASE_OPS } from "./air.js";
import { DOMAIN_SHIFT, periodicOnLde } from "./domain.js";
import { StarkError } from "./errors.js";
import { type Ext, eMul, eSub } from "./ext.js";
import { type ExtVec, extVec } from "./ext-vec.js";
import { add, batchInv, mul, P, pow, rootOfUnity, sub } from "./field.js";
import { cosetIntt, cosetNtt, ldeFromCoeffs } from "./ntt.js";
import type { StarkParams } from "./params.js";
import { compositionMaskLength, transitionTail } from "./zk.js";

/**
 * How the constraint composition polynomial H is evaluated and split; prover and verifier derive
 * it from the AIR and the parameters alone.
 * - H has degree < `degreeBound`: transition quotients C(x)·E(x)/(x^n − 1) with C of degree
 *   ≤ d·(n−1) and E the degree-`tail` exemption polynomial; boundary quotients < n − 1.
 * - It is evaluated on a coset of 2^evalLog·n points, at least degreeBound.
 * - It is committed as `chunks` polynomials H'_k of degree < n with H = Σ_k x^{k·stride}·H'_k.
 *   Without ZK, stride = n and H'_k are H's consecutive coefficient blocks. In ZK mode
 *   stride = n − maskLength and H'_k = H_k + x^stride·M_{k+1} − M_k with random M_k of
 *   maskLength coefficients (M_0 = M_chunks = 0): the sum telescopes back to H, each H'_k still
 *   has degree < n, and its openings at the q queries and z are uniform given H.
 */
export interface CompositionLayout {
  degreeBound: number;
  evalLog: number;
  chunks: number;
  stride: number;
  maskLength: number;
  tail: number;
}

export function compositionLayout(air: Air, params: StarkParams): CompositionLayout {
  const n = air.traceLength;
  const tail = transitionTail(params);
  const degreeBound = Math.max(air.constraintDegree * (n - 1) - n + tail + 1, n - 1, 1);
  const evalLog = Math.max(0, Math.ceil(Math.log2(degreeBound / n)));
  if (evalLog > params.blowupLog)
    throw new StarkError("BAD_PARAMETERS", `composition degree ${degreeBound} exceeds the LDE domain`);
  let chunks = Math.max(1, Math.ceil(degreeBound / n));
  let stride = n;
  let maskLength = 0;
  if (chunks > 1 && params.zk) {
    maskLength = compositionMaskLength(params);
    stride = n - maskLength;
    if (stride <= 0) throw new StarkError("BAD_PARAMETERS", "trace too short for zero-knowledge masks");
    chunks = 1 + Math.ceil((degreeBound - n) / stride);
  }
  return { degreeBound, evalLog, chunks, stride, maskLength, tail };
}

/** Coefficients of E(x) = ∏ (x − g^r) over the `tail` exempt rows r = n − tail … n − 1. */
export function exemptionPoly(n: number, tail: number): Uint32Array {
  const g = rootOfUnity(Math.log2(n));
  const c = new Uint32Array(tail + 1);
  c[0] = 1;
  for (let k = 0, root = pow(g, n - tail); k < tail; k++, root = mul(root, g)) {
    // multiply by (x − root): c'_i = c_{i−1} − root·c_i
    for (let i = k + 1; i >= 1; i--) c[i] = sub(c[i - 1]!, mul(root, c[i]!));
    c[0] = sub(0, mul(root, c[0]!));
  }
  return c;
}

/** E(z) at an extension point (the verifier's side of `exemptionPoly`). */
export function exemptionAt(z: Ext, n: number, tail: number): Ext {
  const g = rootOfUnity(Math.log2(n));
  let acc: Ext = [1, 0, 0, 0];
  for (let k = 0, root = pow(g, n - tail); k < tail; k++, root = mul(root, g))
    acc = eMul(acc, eSub(z, [root, 0, 0, 0]));
  return acc;
}

/**
 * The constraint composition polynomial on its evaluation coset (every 2^(blowupLog − evalLog)-th
 * LDE point):
 *   H(x) = Σ_t α_t·C_t(x)·E(x)/(x^n − 1) + Σ_b α_b·(T_{c_b}(x) − v_b)/(x − g^{r_b}),
 * transition constraints vanishing on every row but the exempt tail, boundary ones on their row.
 * `alphas` holds one coefficient per transition constraint, then one per boundary constraint.
 */
export function evaluateComposition(
  air: Air,
  lde: readonly Uint32Array[],
  blowupLog: number,
  alphas: Ext[],
  layout: CompositionLayout,
): ExtVec {
  const n = air.traceLength;
  const evalLog = layout.evalLog;
  const step = 1 << (blowupLog - evalLog);
  const b = 1 << evalLog;
  const size = n * b;
  const mask = size - 1;
  const wN = rootOfUnity(Math.log2(size));
  const shift = DOMAIN_SHIFT;
  const nT = air.numTransitionConstraints;

  // 1/(x^n − 1) takes B values: x_i^n = shift^n·ω_B^i. E(x) on the coset by one transform.
  const xnInv = new Uint32Array(b);
  const wB = rootOfUnity(evalLog);
  for (let k = 0, s = pow(shift, n); k < b; k++, s = mul(s, wB)) xnInv[k] = sub(s, 1);
  batchInv(xnInv, xnInv);
  const exempt = new Uint32Array(size);
  exempt.set(exemptionPoly(n, layout.tail));
  cosetNtt(exempt, shift);

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
    const zi = mul(exempt[i]!, xnInv[i & (b - 1)]!);
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

/**
 * Splits H (evaluated on its coset) into the layout's chunks H'_k of degree < n, masked in ZK
 * mode with `masks[k−1]` = M_k (4 coordinate arrays of maskLength coefficients each); returns each
 * chunk's coefficients and its evaluations on the LDE. In strict mode a nonzero coefficient at or
 * beyond the degree bound means the trace does not satisfy the constraints.
 */
export function splitComposition(
  h: ExtVec,
  n: number,
  layout: CompositionLayout,
  blowupLog: number,
  strict: boolean,
  masks: readonly ExtVec[] = [],
): { coeffs: ExtVec[]; lde: ExtVec[] } {
  const { chunks, stride, degreeBound, maskLength } = layout;
  if (masks.length !== (maskLength > 0 ? chunks - 1 : 0))
    throw new StarkError("BAD_PARAMETERS", "wrong number of composition masks");
  const coeffs: ExtVec[] = Array.from({ length: chunks }, () => extVec(n));
  for (let c = 0; c < 4; c++) {
    const all = cosetIntt(Uint32Array.from(h[c]!), DOMAIN_SHIFT);
    if (strict) {
      for (let k = degreeBound; k < all.length; k++)
        if (all[k] !== 0)
          throw new StarkError("BAD_WITNESS", "composition polynomial exceeds its degree bound", {
            coefficient: k,
          });
    }
    for (let k = 0; k < chunks; k++) {
      const out = coeffs[k]![c]!;
      out.set(all.subarray(k * stride, Math.min((k + 1) * stride, degreeBound)));
      const up = masks[k]?.[c]; // M_{k+1}, added at x^stride
      const down = k > 0 ? masks[k - 1]?.[c] : undefined; // M_k, subtracted
      for (let i = 0; i < maskLength; i++) {
        if (up) out[stride + i] = add(out[stride + i]!, up[i]!);
        if (down) out[i] = sub(out[i]!, down[i]!);
      }
    }
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
