import { DOMAIN_SHIFT } from "./domain.js";
import { type Ext, eAdd, eEq, eMul, eScale, eSub } from "./ext.js";
import { type ExtVec, extVec, getExt, mulTo, R } from "./ext-vec.js";
import { inv, mul, P, pow, rootOfUnity } from "./field.js";
import { MerkleTree, verifyMultiproof } from "./merkle.js";
import { cosetIntt } from "./ntt.js";
import { hashWords } from "./sha256.js";
import type { Transcript } from "./transcript.js";

/**
 * FRI with folding factor F = 2^foldLog per committed layer. A layer of size M on the coset
 * c·⟨ω_M⟩ is committed with leaf t holding the F values at t + s·M/F (s < F): exactly the points
 * that fold into point t of the next committed layer. Folding by F is foldLog binary folds with
 * β, β², β⁴…, i.e. f ↦ Σ_s β^s·f_s where f(x) = Σ_s x^s·f_s(x^F).
 */
export const TAG_FRI_ROOT = 0x46524920; // "FRI "
export const TAG_FRI_REMAINDER = 0x52454d44; // "REMD"

export interface FriLayerOpening {
  values: Uint32Array; // per opened leaf: F ext values, 4 words each
  proof: Uint32Array;
}

export interface FriCommitment {
  roots: Uint32Array[];
  remainder: Ext[];
  trees: MerkleTree[];
  layers: ExtVec[];
}

const INV2 = inv(2);

/** One binary fold of f on c·⟨ω_M⟩ into c²·⟨ω_{M/2}⟩: (f(x)+f(−x))/2 + β·(f(x)−f(−x))/(2x). */
function foldOnce(v: ExtVec, shift: number, beta: Ext): ExtVec {
  const m = v[0].length;
  const half = m >> 1;
  const out = extVec(half);
  const wInv = inv(rootOfUnity(Math.log2(m)));
  let xi = mul(inv(shift), INV2); // 1/(2x_i)
  for (let i = 0; i < half; i++) {
    const a0 = v[0][i]!;
    const a1 = v[1][i]!;
    const a2 = v[2][i]!;
    const a3 = v[3][i]!;
    const b0 = v[0][i + half]!;
    const b1 = v[1][i + half]!;
    const b2 = v[2][i + half]!;
    const b3 = v[3][i + half]!;
    const d0 = mul((a0 - b0 + P) % P, xi);
    const d1 = mul((a1 - b1 + P) % P, xi);
    const d2 = mul((a2 - b2 + P) % P, xi);
    const d3 = mul((a3 - b3 + P) % P, xi);
    mulTo(d0, d1, d2, d3, beta[0], beta[1], beta[2], beta[3]);
    out[0][i] = (mul((a0 + b0) % P, INV2) + R[0]!) % P;
    out[1][i] = (mul((a1 + b1) % P, INV2) + R[1]!) % P;
    out[2][i] = (mul((a2 + b2) % P, INV2) + R[2]!) % P;
    out[3][i] = (mul((a3 + b3) % P, INV2) + R[3]!) % P;
    xi = mul(xi, wInv);
  }
  return out;
}

/** Commit phase: commits layers, draws β after each root, ends with the remainder coefficients. */
export function friCommit(
  values: ExtVec,
  degreeLogs: number[],
  foldLog: number,
  tr: Transcript,
): FriCommitment {
  const f = 1 << foldLog;
  const roots: Uint32Array[] = [];
  const trees: MerkleTree[] = [];
  const layers: ExtVec[] = [];
  let v = values;
  let shift = DOMAIN_SHIFT;
  for (let l = 0; l + 1 < degreeLogs.length; l++) {
    const m = v[0].length;
    const stride = m / f;
    const layer = v;
    const tree = MerkleTree.build(stride, 4 * f, (t, buf) => {
      for (let s = 0; s < f; s++) for (let c = 0; c < 4; c++) buf[s * 4 + c] = layer[c]![t + s * stride]!;
    });
    trees.push(tree);
    layers.push(layer);
    roots.push(tree.root());
    tr.absorb(TAG_FRI_ROOT, tree.root());
    let beta = tr.challengeExt();
    for (let k = 0; k < foldLog; k++) {
      v = foldOnce(v, shift, beta);
      shift = mul(shift, shift);
      beta = eMul(beta, beta);
    }
  }
  const last = degreeLogs[degreeLogs.length - 1]!;
  const coeffs = [0, 1, 2, 3].map((c) => cosetIntt(Uint32Array.from(v[c]!), shift));
  const remainder: Ext[] = [];
  for (let k = 0; k < 2 ** last; k++)
    remainder.push([coeffs[0]![k]!, coeffs[1]![k]!, coeffs[2]![k]!, coeffs[3]![k]!]);
  tr.absorbExt(TAG_FRI_REMAINDER, remainder);
  return { roots, remainder, trees, layers };
}

/** Leaf indices each committed layer opens for the given first-layer query indices. */
export function friLeafIndices(
  queries: readonly number[],
  logDomain: number,
  foldLog: number,
  layers: number,
): number[][] {
  const out: number[][] = [];
  let idx = queries;
  let log = logDomain;
  for (let l = 0; l < layers; l++) {
    const stride = 2 ** (log - foldLog);
    idx = [...new Set(idx.map((i) => i % stride))].sort((a, b) => a - b);
    out.push([...idx]);
    log -= foldLog;
  }
  return out;
}

export function friOpen(c: FriCommitment, queries: readonly number[], foldLog: number): FriLayerOpening[] {
  const f = 1 << foldLog;
  const logDomain = Math.log2(c.layers[0]?.[0].length ?? 1);
  const leaves = friLeafIndices(queries, logDomain, foldLog, c.trees.length);
  return c.trees.map((tree, l) => {
    const layer = c.layers[l]!;
    const stride = layer[0].length / f;
    const idx = leaves[l]!;
    const values = new Uint32Array(idx.length * 4 * f);
    idx.forEach((t, k) => {
      for (let s = 0; s < f; s++)
        for (let cc = 0; cc < 4; cc++) values[(k * f + s) * 4 + cc] = layer[cc]![t + s * stride]!;
    });
    return { values, proof: tree.prove(idx) };
  });
}

/** Folds one opened leaf (F values at t + s·M/F on c·⟨ω_M⟩) down to the value at t. */
function foldLeaf(vals: Ext[], t: number, m: number, shift: number, beta: Ext, foldLog: number): Ext {
  let v = vals;
  let size = m;
  let c = shift;
  let b = beta;
  for (let k = 0; k < foldLog; k++) {
    const half = v.length >> 1;
    const w = rootOfUnity(Math.log2(size));
    const stride = size / v.length; // index of slot s is t + s·stride
    const next: Ext[] = [];
    for (let s = 0; s < half; s++) {
      const x = mul(c, pow(w, t + s * stride));
      const a = v[s]!;
      const bb = v[s + half]!;
      const even = eScale(eAdd(a, bb), INV2);
      const odd = eScale(eSub(a, bb), mul(INV2, inv(x)));
      next.push(eAdd(even, eMul(b, odd)));
    }
    v = next;
    size >>= 1;
    c = mul(c, c);
    b = eMul(b, b);
  }
  return v[0]!;
}

/**
 * Query phase check. `expected` maps first-layer indices to the value the verifier computed
 * (from the DEEP combination). Returns false on the first inconsistency.
 */
export function friVerify(
  expected: Map<number, Ext>,
  roots: readonly Uint32Array[],
  betas: readonly Ext[],
  openings: readonly FriLayerOpening[],
  remainder: readonly Ext[],
  logDomain: number,
  foldLog: number,
): boolean {
  const f = 1 << foldLog;
  let cur = expected;
  let log = logDomain;
  let shift = DOMAIN_SHIFT;
  for (let l = 0; l < roots.length; l++) {
    const stride = 2 ** (log - foldLog);
    const idx = [...new Set([...cur.keys()].map((i) => i % stride))].sort((a, b) => a - b);
    const op = openings[l]!;
    if (op.values.length !== idx.length * 4 * f) return false;
    const digests = new Uint32Array(idx.length * 8);
    for (let k = 0; k < idx.length; k++) hashWords(op.values, k * 4 * f, 4 * f, digests, k * 8);
    if (!verifyMultiproof(roots[l]!, log - foldLog, idx, digests, op.proof)) return false;
    const leafOf = new Map(idx.map((t, k) => [t, k]));
    const next = new Map<number, Ext>();
    for (const [i, v] of cur) {
      const t = i % stride;
      const k = leafOf.get(t)!;
      const s = Math.floor(i / stride);
      const base = (k * f + s) * 4;
      const opened: Ext = [
        op.values[base]!,
        op.values[base + 1]!,
        op.values[base + 2]!,
        op.values[base + 3]!,
      ];
      if (!eEq(opened, v)) return false;
      if (!next.has(t)) {
        const vals: Ext[] = [];
        for (let ss = 0; ss < f; ss++) {
          const b = (k * f + ss) * 4;
          vals.push([op.values[b]!, op.values[b + 1]!, op.values[b + 2]!, op.values[b + 3]!]);
        }
        next.set(t, foldLeaf(vals, t, 2 ** log, shift, betas[l]!, foldLog));
      }
    }
    cur = next;
    log -= foldLog;
    shift = pow(shift, f);
  }
  const w = rootOfUnity(log);
  for (const [i, v] of cur) {
    const x = mul(shift, pow(w, i));
    let r: Ext = [0, 0, 0, 0];
    for (let k = remainder.length - 1; k >= 0; k--) r = eAdd(eScale(r, x), remainder[k]!);
    if (!eEq(r, v)) return false;
  }
  return true;
}

export { getExt };
