import { P } from "./field.js";
import type { StarkParams } from "./params.js";

/**
 * Security estimates for a parameter set and trace shape, in bits.
 *
 * Conjectured (ethSTARK §5.10.1, Winterfell `get_conjectured_security`):
 *   min(λ_field, q·log2(1/ρ) + g, 128)  with λ_field = log2|F_ext| − log2(N),
 * which rests on the proximity-gaps conjecture for Reed–Solomon codes up to capacity — a
 * conjecture shown false in 2025 (ePrint 2025/2010, 2025/2046), so treat it as optimistic.
 *
 * Proven, unique-decoding regime (δ = (1−ρ)/2; BCIKS20 ePrint 2020/654, ethSTARK Thm 3/4):
 *   min over the error terms of −log2(ε), where
 *   ε_ALI   = C / |F_ext|                          (random combination of C constraints, powers of α)
 *   ε_DEEP  = d·(n + d_q) / |F_ext|               (out-of-domain point; d = degree of the AIR)
 *   ε_FRI,commit = (L·N) / |F_ext|                 (batching + one per folding step)
 *   ε_FRI,query  = ((1+ρ)/2)^q · 2^−g
 * Proven, list-decoding regime (Johnson bound, m = 3, as Winterfell's `get_proven_security`):
 *   α = (1 + 1/(2m))·√ρ,  ε_query = α^q·2^−g,  ε_commit = (m+½)^7/(3ρ^{3/2})·N²/|F_ext|.
 * The reported proven figure is the better of the two regimes (both are valid bounds).
 * The Merkle hash (SHA-256) caps everything at 128 bits (collision resistance).
 */
export interface SecurityReport {
  conjecturedBits: number;
  provenBits: number;
  provenUniqueDecodingBits: number;
  provenListDecodingBits: number;
}

const EXT_BITS = 4 * Math.log2(P);
const HASH_BITS = 128;

export function securityOf(
  params: StarkParams,
  shape: { logTraceLength: number; constraintDegree: number; numConstraints: number; width: number },
): SecurityReport {
  const logN = shape.logTraceLength + params.blowupLog;
  const rho = 2 ** -params.blowupLog;
  const q = params.queries;
  const g = params.grindingBits;
  const n = 2 ** shape.logTraceLength;
  const fieldBits = EXT_BITS - logN;
  const conjectured = Math.min(fieldBits, q * params.blowupLog + g, HASH_BITS);

  const ali = EXT_BITS - Math.log2(Math.max(1, shape.numConstraints));
  const deep =
    EXT_BITS - Math.log2(shape.constraintDegree * (n + n * Math.max(1, shape.constraintDegree - 1)));
  const friLayers = Math.ceil(shape.logTraceLength / params.foldLog) + 1;
  const commitUnique = EXT_BITS - Math.log2(friLayers * 2 ** logN);
  const queryUnique = -q * Math.log2((1 + rho) / 2) + g;
  const unique = Math.min(ali, deep, commitUnique, queryUnique, HASH_BITS);

  const m = 3;
  const alpha = (1 + 1 / (2 * m)) * Math.sqrt(rho);
  const queryList = -q * Math.log2(alpha) + g;
  const commitList = EXT_BITS - Math.log2(((m + 0.5) ** 7 / (3 * rho ** 1.5)) * 2 ** (2 * logN));
  // In list decoding the ALI/DEEP terms pick up the list size L = m/√ρ... (Winterfell): scale them.
  const listSize = m / Math.sqrt(rho);
  const aliList = ali - Math.log2(listSize);
  const deepList = deep - Math.log2(listSize);
  const list = Math.min(aliList, deepList, commitList, queryList, HASH_BITS);

  const floor1 = (x: number) => Math.max(0, Math.floor(x * 10) / 10);
  return {
    conjecturedBits: floor1(conjectured),
    provenBits: floor1(Math.max(unique, list)),
    provenUniqueDecodingBits: floor1(unique),
    provenListDecodingBits: floor1(list),
  };
}
