import { DOMAIN_SHIFT } from "./domain.js";
import { type Ext, eAdd, eInv, eMul, eScale, eSub } from "./ext.js";
import { batchInvExt, type ExtVec, extVec, mulTo, R } from "./ext-vec.js";
import { inv, mul, P, rootOfUnity } from "./field.js";

/**
 * The DEEP composition that FRI proves low-degree (ethSTARK §4, "DEEP-ALI"):
 *   D(x) = Σ_j γ^j·(T_j(x) − T_j(z))/(x − z) + Σ_j γ^{w+j}·(T_j(x) − T_j(gz))/(x − gz)
 *        + Σ_k γ^{2w+k}·(H_k(x) − H_k(z))/(x − z)  [+ γ^{2w+c}·R(x) in ZK mode].
 * Each quotient has degree < n − 1 exactly when the claimed out-of-domain values are right.
 * R is the ZK batch randomizer: a uniformly random polynomial of degree < n committed with the
 * composition chunks, which makes D — and so every FRI layer — uniform whatever the witness.
 */
export interface DeepInputs {
  z: Ext;
  gamma: Ext;
  oodTrace: Ext[];
  oodTraceNext: Ext[];
  oodComposition: Ext[];
}

export function deepCoefficients(gamma: Ext, width: number, chunks: number, masked = false): Ext[] {
  const out: Ext[] = [];
  let g: Ext = [1, 0, 0, 0];
  for (let k = 0; k < 2 * width + chunks + (masked ? 1 : 0); k++) {
    out.push(g);
    g = eMul(g, gamma);
  }
  return out;
}

/** Constants subtracted from the two numerators: Σ γ^j·T_j(z) + Σ γ^{2w+k}·H_k(z), Σ γ^{w+j}·T_j(gz). */
function deepConstants(inp: DeepInputs, coef: Ext[], w: number): { az: Ext; agz: Ext } {
  let az: Ext = [0, 0, 0, 0];
  let agz: Ext = [0, 0, 0, 0];
  for (let j = 0; j < w; j++) {
    az = eAdd(az, eMul(coef[j]!, inp.oodTrace[j]!));
    agz = eAdd(agz, eMul(coef[w + j]!, inp.oodTraceNext[j]!));
  }
  inp.oodComposition.forEach((h, k) => {
    az = eAdd(az, eMul(coef[2 * w + k]!, h));
  });
  return { az, agz };
}

/** Prover side: D on the whole LDE domain; `randomizer` is R's LDE in ZK mode. */
export function deepOnLde(
  traceLde: readonly Uint32Array[],
  compLde: readonly ExtVec[],
  inp: DeepInputs,
  logN: number,
  blowupLog: number,
  randomizer?: ExtVec,
): ExtVec {
  const size = traceLde[0]!.length;
  const mask = size - 1;
  const b = 1 << blowupLog;
  const w = traceLde.length;
  const coef = deepCoefficients(inp.gamma, w, compLde.length, randomizer !== undefined);
  const { az, agz } = deepConstants(inp, coef, w);
  const wN = rootOfUnity(Math.log2(size));
  const xMinusZ = extVec(size);
  for (let i = 0, x = DOMAIN_SHIFT; i < size; i++, x = mul(x, wN)) {
    xMinusZ[0][i] = (x - inp.z[0] + P) % P;
    xMinusZ[1][i] = inp.z[1] === 0 ? 0 : P - inp.z[1];
    xMinusZ[2][i] = inp.z[2] === 0 ? 0 : P - inp.z[2];
    xMinusZ[3][i] = inp.z[3] === 0 ? 0 : P - inp.z[3];
  }
  const invZ = batchInvExt(xMinusZ);
  // 1/(x_i − g·z) = g^{-1}/(x_i·g^{-1} − z) and x_i·g^{-1} = x_{i−B}: reuse the same inverses.
  const gInv = inv(rootOfUnity(logN));
  const out = extVec(size);
  const cz = coef.slice(0, w);
  const gw = coef[w]!;
  const ch = coef.slice(2 * w);
  for (let i = 0; i < size; i++) {
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    // γ^{w+j} = γ^w·γ^j, so the g·z numerator is γ^w·Σ_j γ^j·T_j(x): one sum serves both.
    for (let j = 0; j < w; j++) {
      const t = traceLde[j]![i]!;
      const a = cz[j]!;
      z0 += mul(a[0], t);
      z1 += mul(a[1], t);
      z2 += mul(a[2], t);
      z3 += mul(a[3], t);
    }
    mulTo(z0 % P, z1 % P, z2 % P, z3 % P, gw[0], gw[1], gw[2], gw[3]);
    g0 = R[0]!;
    g1 = R[1]!;
    g2 = R[2]!;
    g3 = R[3]!;
    for (let k = 0; k < compLde.length; k++) {
      const h = compLde[k]!;
      const a = ch[k]!;
      mulTo(a[0], a[1], a[2], a[3], h[0][i]!, h[1][i]!, h[2][i]!, h[3][i]!);
      z0 += R[0]!;
      z1 += R[1]!;
      z2 += R[2]!;
      z3 += R[3]!;
    }
    z0 = (z0 + P - az[0]) % P;
    z1 = (z1 + P - az[1]) % P;
    z2 = (z2 + P - az[2]) % P;
    z3 = (z3 + P - az[3]) % P;
    g0 = (g0 + P - agz[0]) % P;
    g1 = (g1 + P - agz[1]) % P;
    g2 = (g2 + P - agz[2]) % P;
    g3 = (g3 + P - agz[3]) % P;
    mulTo(z0, z1, z2, z3, invZ[0][i]!, invZ[1][i]!, invZ[2][i]!, invZ[3][i]!);
    const r0 = R[0]!;
    const r1 = R[1]!;
    const r2 = R[2]!;
    const r3 = R[3]!;
    const p = (i - b) & mask;
    mulTo(
      g0,
      g1,
      g2,
      g3,
      mul(invZ[0][p]!, gInv),
      mul(invZ[1][p]!, gInv),
      mul(invZ[2][p]!, gInv),
      mul(invZ[3][p]!, gInv),
    );
    out[0][i] = (r0 + R[0]!) % P;
    out[1][i] = (r1 + R[1]!) % P;
    out[2][i] = (r2 + R[2]!) % P;
    out[3][i] = (r3 + R[3]!) % P;
  }
  if (randomizer) addScaled(out, randomizer, coef[coef.length - 1]!);
  return out;
}

/** out += c·v, pointwise. */
function addScaled(out: ExtVec, v: ExtVec, c: Ext): void {
  for (let i = 0; i < out[0].length; i++) {
    mulTo(v[0][i]!, v[1][i]!, v[2][i]!, v[3][i]!, c[0], c[1], c[2], c[3]);
    out[0][i] = (out[0][i]! + R[0]!) % P;
    out[1][i] = (out[1][i]! + R[1]!) % P;
    out[2][i] = (out[2][i]! + R[2]!) % P;
    out[3][i] = (out[3][i]! + R[3]!) % P;
  }
}

/**
 * Verifier side: returns D(x) for one domain point from its opened trace and composition rows
 * (and R(x) in ZK mode).
 */
export function deepEvaluator(
  inp: DeepInputs,
  width: number,
  chunks: number,
  logN: number,
  masked: boolean,
): (x: number, traceRow: ArrayLike<number>, compRow: readonly Ext[], randomizer?: Ext) => Ext {
  const coef = deepCoefficients(inp.gamma, width, chunks, masked);
  const { az, agz } = deepConstants(inp, coef, width);
  const gz = eScale(inp.z, rootOfUnity(logN));
  const rCoef = coef[coef.length - 1]!;
  return (x, traceRow, compRow, randomizer) => {
    let nz: Ext = [0, 0, 0, 0];
    let ng: Ext = [0, 0, 0, 0];
    for (let j = 0; j < width; j++) {
      nz = eAdd(nz, eScale(coef[j]!, traceRow[j]!));
      ng = eAdd(ng, eScale(coef[width + j]!, traceRow[j]!));
    }
    compRow.forEach((h, k) => {
      nz = eAdd(nz, eMul(coef[2 * width + k]!, h));
    });
    const xe: Ext = [x, 0, 0, 0];
    const d = eAdd(eMul(eSub(nz, az), eInv(eSub(xe, inp.z))), eMul(eSub(ng, agz), eInv(eSub(xe, gz))));
    return masked && randomizer ? eAdd(d, eMul(rCoef, randomizer)) : d;
  };
}
