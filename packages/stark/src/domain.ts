import type { Ext } from "./ext.js";
import { EXT_ONE, EXT_ZERO, eAdd, eBatchInv, eIsZero, eMul, ePow, eScale, eSub } from "./ext.js";
import { GENERATOR, inv, mul, pow, rootOfUnity } from "./field.js";
import { cosetNtt, intt } from "./ntt.js";

/** The low-degree-extension domain is the coset GENERATOR·⟨ω_N⟩, disjoint from every 2-power subgroup. */
export const DOMAIN_SHIFT = GENERATOR;

/** Coefficients of the periodic column's polynomial P, with column(x) = P(x^{n/m}) for period m. */
export function periodicCoeffs(values: Uint32Array): Uint32Array {
  return intt(Uint32Array.from(values));
}

/**
 * A periodic column on the LDE: at point i it equals P((shift·ω_N^i)^{n/m}), which repeats with
 * period m·B, so only that many values are computed.
 */
export function periodicOnLde(values: Uint32Array, n: number, blowupLog: number, shift: number): Uint32Array {
  const m = values.length;
  const coeffs = new Uint32Array(m << blowupLog);
  coeffs.set(periodicCoeffs(values));
  return cosetNtt(coeffs, pow(shift, n / m));
}

/**
 * Periodic column value at an extension point z, given y = z^{n/m}: P(y). Off the subgroup, by
 * the barycentric formula over the nonzero values only,
 *   P(y) = (y^m − 1)/m · Σ_i v_i·ω^i/(y − ω^i),
 * so a sparse selector costs a few operations instead of a size-m transform.
 */
export function periodicAt(values: Uint32Array, y: Ext): Ext {
  const m = values.length;
  const ym1 = eSub(ePow(y, m), EXT_ONE);
  if (eIsZero(ym1)) return periodicAtByCoeffs(values, y);
  const w = rootOfUnity(Math.log2(m));
  const terms: { v: number; wi: number }[] = [];
  for (let i = 0, wi = 1; i < m; i++, wi = mul(wi, w)) if (values[i] !== 0) terms.push({ v: values[i]!, wi });
  if (terms.length === 0) return EXT_ZERO;
  const inverses = eBatchInv(terms.map((t) => eSub(y, [t.wi, 0, 0, 0])));
  let sum: Ext = EXT_ZERO;
  terms.forEach((t, k) => {
    sum = eAdd(sum, eScale(inverses[k]!, mul(t.v, t.wi)));
  });
  return eScale(eMul(ym1, sum), inv(m));
}

/** P(y) from the coefficients (Horner); the reference the barycentric form is tested against. */
export function periodicAtByCoeffs(values: Uint32Array, y: Ext): Ext {
  const coeffs = periodicCoeffs(values);
  let r: Ext = EXT_ZERO;
  for (let k = coeffs.length - 1; k >= 0; k--) r = eAdd(eMul(r, y), [coeffs[k]!, 0, 0, 0]);
  return r;
}
