import type { Ext } from "./ext.js";
import { EXT_ZERO, eAdd, eMul } from "./ext.js";
import { GENERATOR, pow } from "./field.js";
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

/** Periodic column value at an extension point z, given y = z^{n/m}: P(y). */
export function periodicAt(values: Uint32Array, y: Ext): Ext {
  const coeffs = periodicCoeffs(values);
  let r: Ext = EXT_ZERO;
  for (let k = coeffs.length - 1; k >= 0; k--) r = eAdd(eMul(r, y), [coeffs[k]!, 0, 0, 0]);
  return r;
}
