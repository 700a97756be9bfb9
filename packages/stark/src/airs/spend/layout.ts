import { rescue16Params } from "../../rescue/params.js";

/**
 * The trace layout of the 2-input / 2-output spend AIR (air.ts).
 *
 * Every 8-row slot runs one width-16 Rescue permutation (one round per row). At the last round
 * row of slot k (row 8k + 7) the columns AUX hold o − next, where o is slot k's output and
 * next the next row's state, i.e. the next slot's input: so `next + aux` is the output, `−aux`
 * what was injected into it, and per-slot selectors say which words must pass through, which
 * are set from registers or public constants, and which are free witness (siblings, r, pk).
 *
 *   slot 0        filler (sets the input of slot 1)
 *   slots 1–37    input 0: pk, cm (3 blocks), 32 Merkle levels, nf
 *   slots 38–74   input 1: the same
 *   slots 75–80   output 0 then output 1: cm (3 blocks)
 *   slots 81…     filler up to the end of the trace (or the ZK random rows)
 *
 * Registers (constant on every constrained row) carry the per-note secrets between slots:
 * SK_i, RHO_i, FLAG_i (input i is real), the 3 value limbs of the 4 notes and the two balance
 * carries. Each value limb and carry is range-checked by a bit accumulator column ACC over a
 * 32-row period: ACC restarts from a bit at row 32k, doubles and adds a bit each row, and equals
 * its register at row 32k + 21 (22-bit limbs), + 19 (20-bit limbs) or + 3 (carries + 8). Row 0
 * has no row before it to make it a bit, so period 0 proves nothing; period 1 (rows 32–63, far
 * inside the constrained rows) and every later one bind the constant registers.
 */
export const TRACE_LENGTH = 1024;
export const M = 16;
export const ROUNDS = 8;

export const COL = {
  state: 0,
  aux: 16,
  dir: 32,
  sk: [33, 37],
  rho: [41, 45],
  flag: [49, 50],
  /** note t (0, 1 inputs; 2, 3 outputs), limb l at value + 3t + l */
  value: 51,
  carry: 63,
  /** limb accumulators (12, in value order), then the two carry accumulators */
  acc: 65,
} as const;
export const WIDTH = 79;
export const NOTES = 4;

/** What the transition out of a slot's last round row checks and sets; one periodic selector each. */
export const SEL = {
  pk0: 0,
  pk1: 1,
  cm1In: 2,
  cm2In0: 3,
  cm2In1: 4,
  cm2Out0: 5,
  cm2Out1: 6,
  cm3: 7,
  merkle: 8,
  root0: 9,
  root1: 10,
  nf0: 11,
  nf1: 12,
  cm1Out: 13,
  cmOut0: 14,
  cmOut1: 15,
} as const;
export const SELECTORS = 16;
export const DEPTH = 32;

/** Slots whose last round row carries each selector. */
function selectorSlots(): number[][] {
  const out: number[][] = Array.from({ length: SELECTORS }, () => []);
  const input = (i: 0 | 1, base: number) => {
    out[i === 0 ? SEL.pk0 : SEL.pk1]!.push(base - 1); // the slot before pk sets pk's input
    out[SEL.cm1In]!.push(base);
    out[i === 0 ? SEL.cm2In0 : SEL.cm2In1]!.push(base + 1);
    out[SEL.cm3]!.push(base + 2);
    for (let l = 0; l < DEPTH; l++) out[SEL.merkle]!.push(base + 3 + l);
    out[i === 0 ? SEL.root0 : SEL.root1]!.push(base + 3 + DEPTH);
    out[i === 0 ? SEL.nf0 : SEL.nf1]!.push(base + 4 + DEPTH);
  };
  input(0, 1);
  input(1, 38);
  for (const [j, base] of [
    [0, 75],
    [1, 78],
  ] as const) {
    out[SEL.cm1Out]!.push(base - 1);
    out[j === 0 ? SEL.cm2Out0 : SEL.cm2Out1]!.push(base);
    out[SEL.cm3]!.push(base + 1);
    out[j === 0 ? SEL.cmOut0 : SEL.cmOut1]!.push(base + 2);
  }
  return out;
}

/** Slot indices of the note hashes (the trace builder follows the same schedule). */
export const SLOT = {
  inputBase: [1, 38],
  outputBase: [75, 78],
  used: 81,
} as const;

/** Rows the computation determines: every slot through 80 and the row after its last round. */
export const ACTIVE_ROWS = SLOT.used * ROUNDS + 1;

/** Range-check periodic columns (period 32): where bits accumulate, restart, and are compared. */
export const RANGE = { acc: 0, reset: 1, end22: 2, end20: 3, end4: 4 } as const;
const RANGE_PERIOD = 32;

let cached: Uint32Array[] | undefined;
/**
 * All periodic columns, in constraint order: Rescue round constants c1 (16) and c2 (16), the
 * last-round flag, the 16 slot selectors (period 1024), the 5 range-check columns.
 */
export function spendPeriodicColumns(): Uint32Array[] {
  if (cached) return cached;
  const rp = rescue16Params();
  const c1 = Array.from({ length: M }, (_, j) =>
    Uint32Array.from({ length: ROUNDS }, (_, r) => rp.constants[2 * r * M + j]!),
  );
  const c2 = Array.from({ length: M }, (_, j) =>
    Uint32Array.from({ length: ROUNDS }, (_, r) => rp.constants[2 * r * M + M + j]!),
  );
  const last = Uint32Array.from({ length: ROUNDS }, (_, r) => (r === ROUNDS - 1 ? 1 : 0));
  const selectors = selectorSlots().map((slots) => {
    const col = new Uint32Array(TRACE_LENGTH);
    for (const k of slots) col[k * ROUNDS + ROUNDS - 1] = 1;
    return col;
  });
  const range = [
    (r: number) => r <= 20,
    (r: number) => r === 31,
    (r: number) => r === 21,
    (r: number) => r === 19,
    (r: number) => r === 3,
  ].map((on) => Uint32Array.from({ length: RANGE_PERIOD }, (_, r) => (on(r) ? 1 : 0)));
  cached = [...c1, ...c2, last, ...selectors, ...range];
  return cached;
}

export const PER = { c1: 0, c2: M, last: 2 * M, sel: 2 * M + 1, range: 2 * M + 1 + SELECTORS } as const;
