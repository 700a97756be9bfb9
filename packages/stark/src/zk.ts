import { StarkError } from "./errors.js";
import { P } from "./field.js";
import type { StarkParams } from "./params.js";

/**
 * The sizes and randomness of zero-knowledge mode (the argument is in the README, "Zero
 * knowledge"). With q queries a proof reveals, per trace polynomial T, its values at the q query
 * points x_i, at z and g·z (4 base-field coordinates each), and — through the composition
 * values H(x_i) — at the q points g·x_i: at most 2q + 8 linear functionals. Making that many
 * trace rows uniformly random (rows the constraints skip) makes those revealed values uniform
 * whatever the witness is. Composition chunks are masked with random polynomials of q + 1
 * coefficients (q query points and z), and a uniformly random polynomial joins the FRI batch.
 */

/** Fills `out` with uniformly random 32-bit words. Tests may pass a seeded source. */
export type RandomSource = (out: Uint32Array) => void;

/** The platform CSPRNG (WebCrypto, present in Node ≥ 19 and browsers), 64 KiB per call. */
export const systemRandom: RandomSource = (out) => {
  for (let off = 0; off < out.length; off += 16384)
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + 16384)));
};

/** Uniform field elements: 31-bit words below p are kept (99.2%), the rest redrawn. */
export function randomFieldElements(count: number, random: RandomSource): Uint32Array {
  const out = new Uint32Array(count);
  let filled = 0;
  const buf = new Uint32Array(Math.min(Math.max(count + 16, 64), 1 << 16));
  while (filled < count) {
    random(buf);
    for (let i = 0; i < buf.length && filled < count; i++) {
      const w = buf[i]! & 0x7fffffff;
      if (w < P) out[filled++] = w;
    }
  }
  return out;
}

/** Random rows appended to every trace column in ZK mode (0 otherwise). */
export function zkRandomRows(params: StarkParams): number {
  return params.zk ? 2 * params.queries + 8 : 0;
}

/**
 * Transitions starting in the last `tail` rows are not enforced: 1 without ZK (the wrap-around
 * from the last row to the first), and the random rows plus the row before them in ZK mode.
 * Row n − tail is the last row the constraints determine.
 */
export function transitionTail(params: StarkParams): number {
  return zkRandomRows(params) + 1;
}

/** Coefficients of each random composition mask: one per revealed point (q queries and z). */
export function compositionMaskLength(params: StarkParams): number {
  return params.zk ? params.queries + 1 : 0;
}

/** Words of salt per committed leaf in ZK mode (128 bits: the leaf hash hides a guessable row). */
export const SALT_WORDS = 4;

/**
 * The trace the prover commits to: in ZK mode a copy whose rows after n − tail are replaced by
 * fresh random field elements; otherwise the trace itself.
 */
export function randomizeTrace(
  trace: readonly Uint32Array[],
  params: StarkParams,
  random: RandomSource,
): readonly Uint32Array[] {
  const rows = zkRandomRows(params);
  if (rows === 0) return trace;
  return trace.map((col) => {
    const out = Uint32Array.from(col);
    out.set(randomFieldElements(rows, random), col.length - rows);
    return out;
  });
}

/** Checks that an AIR leaves room for the random rows and pins nothing inside them. */
export function checkZkRoom(
  air: { traceLength: number; activeRows?: number; boundary: readonly { row: number }[] },
  params: StarkParams,
): void {
  const n = air.traceLength;
  const lastDetermined = n - transitionTail(params);
  const active = air.activeRows ?? n;
  if (active - 1 > lastDetermined)
    throw new StarkError(
      "BAD_PARAMETERS",
      `the AIR uses ${active} of ${n} rows; zero-knowledge mode needs the last ${n - lastDetermined - 1} for randomness`,
    );
  if (air.boundary.some((b) => b.row > lastDetermined))
    throw new StarkError("BAD_PARAMETERS", `a boundary constraint pins a row after ${lastDetermined}`);
}
