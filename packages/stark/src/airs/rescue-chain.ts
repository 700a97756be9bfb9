import type { Air, BoundaryConstraint, FieldOps } from "../air.js";
import { StarkError } from "../errors.js";
import { mul, P, sub } from "../field.js";
import type { StarkParams } from "../params.js";
import { RESCUE } from "../rescue/params.js";
import { RESCUE_IV, rescueRound } from "../rescue/permutation.js";
import { transitionTail } from "../zk.js";

/**
 * Knowledge of x ∈ F^4 with H^n(x) = y, H the Rescue-Prime hash of rescue/permutation.ts.
 *
 * Trace: 12 columns. Columns 0–7 hold the Rescue state at the start of each round, 8 rows per
 * hash (rows 8k..8k+7 for hash k, 8 rounds). Columns 8–11 ("aux") are zero except on the last
 * round row of each hash, where they hold o[4..8] − IV: the capacity half of the permutation
 * output o, which the next row replaces by the IV. With w = next[0..4] ‖ (next[4..8] + aux),
 * every transition checks one full round in degree 3, because x³ is a permutation of KoalaBear:
 *   (MDS⁻¹·(w − c2_r))³ = MDS·cur³ + c1_r           (8 constraints)
 *   f_r·(next[4+j] − IV_j) = 0,  (1 − f_r)·aux_j = 0  (8 constraints; f_r = 1 on round 7)
 * c1_r, c2_r, f_r are periodic columns of period 8. Boundary: row 0 capacity = IV; row 8n rate = y.
 * Rows after 8n keep hashing, so any n with 8n < trace length works. Without ZK the openings
 * leak evaluations of the trace polynomials, which depend on x; pass ZK parameters to the
 * constructor and to `rescueChainTrace` to leave room for the random rows (zk.ts).
 */
export interface RescueChainPublic {
  hashes: number;
  digest: readonly number[];
  /**
   * The preimage x, when the statement makes it public (a boundary constraint on row 0): then a
   * proof shows y = H^n(x) for this x, not only for some x the prover knows (compute's proved
   * jobs need that). Absent: x stays private, as before.
   */
  preimage?: readonly number[];
}

const M = RESCUE.m;
/** 8·(n+1) rows must fit the largest trace (2^22), whose blowup-4 domain is KoalaBear's 2^24. */
export const MAX_CHAIN_HASHES = 2 ** 19 - 1;
const ROUNDS = RESCUE.rounds;

/** Rows 0..8n hold the computation; the tail after them is left to ZK randomness. */
export function rescueChainTraceLength(hashes: number, params?: StarkParams): number {
  const tail = params ? transitionTail(params) : 1;
  return Math.max(16, 2 ** Math.ceil(Math.log2(ROUNDS * hashes + tail)));
}

export class RescueChainAir implements Air {
  readonly id = "rescue-chain/v1";
  readonly width = M + 4;
  readonly constraintDegree = 3;
  readonly numTransitionConstraints = M + 8;
  readonly periodicColumns: readonly Uint32Array[];
  readonly boundary: readonly BoundaryConstraint[];
  readonly traceLength: number;
  readonly activeRows: number;

  /** `params` only sizes the trace (ZK mode needs room for its random rows). */
  constructor(
    readonly pub: RescueChainPublic,
    params?: StarkParams,
  ) {
    const { hashes, digest } = pub;
    if (!Number.isInteger(hashes) || hashes < 1 || hashes > MAX_CHAIN_HASHES)
      throw new StarkError("BAD_PARAMETERS", "hashes must be an integer in [1, 2^19 − 1]");
    checkWords(digest, "digest");
    if (pub.preimage !== undefined) checkWords(pub.preimage, "preimage");
    this.traceLength = rescueChainTraceLength(hashes, params);
    this.activeRows = ROUNDS * hashes + 1;
    const c1 = Array.from({ length: M }, (_, j) =>
      Uint32Array.from({ length: ROUNDS }, (_, r) => RESCUE.constants[2 * r * M + j]!),
    );
    const c2 = Array.from({ length: M }, (_, j) =>
      Uint32Array.from({ length: ROUNDS }, (_, r) => RESCUE.constants[2 * r * M + M + j]!),
    );
    const f = Uint32Array.from({ length: ROUNDS }, (_, r) => (r === ROUNDS - 1 ? 1 : 0));
    this.periodicColumns = [...c1, ...c2, f];
    this.boundary = [
      ...RESCUE_IV.map((v, j) => ({ column: 4 + j, row: 0, value: v })),
      ...digest.map((v, j) => ({ column: j, row: ROUNDS * hashes, value: v })),
      ...(pub.preimage ?? []).map((v, j) => ({ column: j, row: 0, value: v })),
    ];
  }

  evalTransitionBase(
    cur: readonly number[],
    next: readonly number[],
    per: readonly number[],
    out: number[],
  ): void {
    evalBase(cur, next, per, out);
  }

  publicInputWords(): number[] {
    return [this.pub.hashes, ...this.pub.digest, ...(this.pub.preimage ?? [])];
  }

  evalTransition<E>(
    F: FieldOps<E>,
    cur: readonly E[],
    next: readonly E[],
    per: readonly E[],
    out: E[],
  ): void {
    const cube = (x: E) => F.mul(F.mul(x, x), x);
    const s3 = cur.slice(0, M).map(cube);
    const f = per[2 * M]!;
    const d: E[] = [];
    for (let j = 0; j < M; j++) {
      const w = j < 4 ? next[j]! : F.add(next[j]!, cur[M + j - 4]!);
      d.push(F.sub(w, per[M + j]!));
    }
    for (let j = 0; j < M; j++) {
      let u: E = per[j]!;
      let v: E = F.constant(0);
      for (let k = 0; k < M; k++) {
        u = F.add(u, F.mul(F.constant(RESCUE.mds[j]![k]!), s3[k]!));
        v = F.add(v, F.mul(F.constant(RESCUE.mdsInv[j]![k]!), d[k]!));
      }
      out[j] = F.sub(cube(v), u);
    }
    const notF = F.sub(F.constant(1), f);
    for (let j = 0; j < 4; j++) {
      out[M + j] = F.mul(f, F.sub(next[4 + j]!, F.constant(RESCUE_IV[j]!)));
      out[M + 4 + j] = F.mul(notF, cur[M + j]!);
    }
  }
}

const MDS_FLAT = Float64Array.from(RESCUE.mds.flat());
const MDS_INV_FLAT = Float64Array.from(RESCUE.mdsInv.flat());
const S3 = new Float64Array(M);
const D = new Float64Array(M);

/**
 * Base-field transition constraints without allocation: products are reduced one by one (each
 * < p) and sums of at most 9 of them stay far below 2^53, so a single % P per output suffices.
 */
function evalBase(
  cur: readonly number[],
  next: readonly number[],
  per: readonly number[],
  out: number[],
): void {
  for (let k = 0; k < M; k++) {
    const x = cur[k]!;
    S3[k] = mul(mul(x, x), x);
    const w = k < 4 ? next[k]! : next[k]! + cur[M + k - 4]!;
    D[k] = (w + P - per[M + k]!) % P;
  }
  for (let j = 0; j < M; j++) {
    let u = per[j]!;
    let v = 0;
    for (let k = 0; k < M; k++) {
      u += mul(MDS_FLAT[j * M + k]!, S3[k]!);
      v += mul(MDS_INV_FLAT[j * M + k]!, D[k]!);
    }
    v %= P;
    out[j] = (mul(mul(v, v), v) + P - (u % P)) % P;
  }
  const f = per[2 * M]!;
  const notF = f === 0 ? 1 : (P + 1 - f) % P;
  for (let j = 0; j < 4; j++) {
    out[M + j] = mul(f, (next[4 + j]! + P - RESCUE_IV[j]!) % P);
    out[M + 4 + j] = mul(notF, cur[M + j]!);
  }
}

/** The execution trace for preimage x; returns it with the public digest H^n(x). */
export function rescueChainTrace(
  x: readonly number[],
  hashes: number,
  params?: StarkParams,
): { trace: Uint32Array[]; digest: number[] } {
  checkWords(x, "preimage");
  const n = rescueChainTraceLength(hashes, params);
  const trace = Array.from({ length: M + 4 }, () => new Uint32Array(n));
  let input = [...x];
  let digest: number[] = [];
  for (let slot = 0; slot * ROUNDS < n; slot++) {
    let s = [...input, ...RESCUE_IV];
    for (let r = 0; r < ROUNDS; r++) {
      const row = slot * ROUNDS + r;
      for (let j = 0; j < M; j++) trace[j]![row] = s[j]!;
      s = rescueRound(s, r);
    }
    const last = slot * ROUNDS + ROUNDS - 1;
    for (let j = 0; j < 4; j++) trace[M + j]![last] = sub(s[4 + j]!, RESCUE_IV[j]!);
    input = s.slice(0, 4);
    if (slot + 1 === hashes) digest = input;
  }
  return { trace, digest };
}

function checkWords(v: readonly number[], what: string): void {
  if (v.length !== 4 || v.some((x) => !Number.isInteger(x) || x < 0 || x >= P))
    throw new StarkError("BAD_PARAMETERS", `${what} must be 4 field elements in [0, ${P})`);
}
