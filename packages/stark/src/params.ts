import { StarkError } from "./errors.js";

/**
 * Proof parameters. Everything here is absorbed into the transcript and carried in the proof.
 * - blowupLog: log2 of the Reed–Solomon blowup (rate ρ = 2^-blowupLog); ≥ the AIR's degree.
 * - queries: FRI query repetitions; each adds blowupLog conjectured bits.
 * - grindingBits: proof-of-work the prover must find before queries are drawn.
 * - foldLog: FRI folds by 2^foldLog per committed layer (8: three binary folds per layer, so
 *   one Merkle path per three halvings).
 * - maxRemainderLog: FRI stops when the degree bound is ≤ 2^maxRemainderLog and sends the
 *   remainder polynomial's coefficients.
 * - zk: zero-knowledge mode (zk.ts): random trace rows, salted commitments, masked composition
 *   chunks and a random polynomial in the FRI batch. Off for public computations, where it only
 *   costs rows and bytes.
 */
export interface StarkParams {
  blowupLog: number;
  queries: number;
  grindingBits: number;
  foldLog: number;
  maxRemainderLog: number;
  zk: boolean;
}

/** ~100 bits conjectured (2·42 + 16); see security.ts for the proven figure. */
export const DEFAULT_PARAMS: StarkParams = {
  blowupLog: 2,
  queries: 42,
  grindingBits: 16,
  foldLog: 3,
  maxRemainderLog: 4,
  zk: false,
};

/** DEFAULT_PARAMS in zero-knowledge mode: the same ~100 conjectured bits (zk.ts, README). */
export const ZK_PARAMS: StarkParams = { ...DEFAULT_PARAMS, zk: true };

/**
 * ≥ 96 bits *proven* in the unique-decoding regime (where no conjecture is needed): each query
 * gives −log2((1+ρ)/2) = 0.678 bits at ρ = 1/4, so 118 queries + 16 grinding bits. Proofs are
 * ~2.6× larger and verification ~2.6× slower than with DEFAULT_PARAMS.
 */
export const PROVEN_PARAMS: StarkParams = {
  blowupLog: 2,
  queries: 118,
  grindingBits: 16,
  foldLog: 3,
  maxRemainderLog: 4,
  zk: false,
};

export const PARAM_LIMITS = {
  blowupLog: [1, 4],
  queries: [1, 255],
  grindingBits: [0, 30],
  foldLog: [1, 4],
  maxRemainderLog: [0, 10],
} as const satisfies Record<Exclude<keyof StarkParams, "zk">, readonly [number, number]>;

export function checkParams(p: StarkParams): void {
  for (const [k, [lo, hi]] of Object.entries(PARAM_LIMITS)) {
    const v = p[k as keyof typeof PARAM_LIMITS];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new StarkError("BAD_PARAMETERS", `parameter ${k}=${v} outside [${lo}, ${hi}]`);
  }
  if (typeof p.zk !== "boolean") throw new StarkError("BAD_PARAMETERS", "parameter zk must be a boolean");
}

/** Every parameter as transcript words; the zk flag is one of them, so a proof cannot switch mode. */
export function paramWords(p: StarkParams): number[] {
  return [p.blowupLog, p.queries, p.grindingBits, p.foldLog, p.maxRemainderLog, p.zk ? 1 : 0];
}

/** log2 of the degree bound after each committed FRI layer, the last entry being the remainder's. */
export function friDegreeLogs(logTraceLength: number, p: StarkParams): number[] {
  const logs = [logTraceLength];
  let d = logTraceLength;
  while (d > p.maxRemainderLog && d >= p.foldLog) {
    d -= p.foldLog;
    logs.push(d);
  }
  return logs;
}
