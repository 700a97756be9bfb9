import { StarkError } from "../../errors.js";

/**
 * Amounts are unsigned 64-bit integers. Inside the AIR a value is three limbs below the 31-bit
 * field, v = l0 + 2^22·l1 + 2^44·l2 with l0, l1 < 2^22 and l2 < 2^20, each range-checked bit by
 * bit, so 64 bits exactly. Sums of a few limbs stay far below p, which lets the balance
 * Σ inputs + publicIn = Σ outputs + publicOut + fee be checked limb by limb with two small carries.
 */
export const U64_MAX = (1n << 64n) - 1n;
export const LIMB_BITS = [22, 22, 20] as const;
/** A balance carry c is range-checked as c + 8 ∈ [0, 16): honest carries lie in [−4, 4]. */
export const CARRY_OFFSET = 8;

export function checkU64(v: bigint, what: string): void {
  if (typeof v !== "bigint" || v < 0n || v > U64_MAX)
    throw new StarkError("BAD_PARAMETERS", `${what} must be an unsigned 64-bit integer`);
}

export function valueLimbs(v: bigint): [number, number, number] {
  checkU64(v, "value");
  return [Number(v & 0x3fffffn), Number((v >> 22n) & 0x3fffffn), Number(v >> 44n)];
}

/** A u64 as four 16-bit words (how amounts enter the public-input words of a statement). */
export function u64Words(v: bigint): number[] {
  checkU64(v, "value");
  return [0, 1, 2, 3].map((k) => Number((v >> BigInt(16 * k)) & 0xffffn));
}

/**
 * The carries of the limb-wise balance: with D_k = Σ_in l_k − Σ_out l_k (public amounts
 * included), D_0 = 2^22·c0, D_1 + c0 = 2^22·c1, D_2 + c1 = 0. Throws when the amounts do not
 * balance.
 */
export function balanceCarries(ins: readonly bigint[], outs: readonly bigint[]): [number, number] {
  const sum = (vs: readonly bigint[]) => vs.reduce((a, b) => a + b, 0n);
  if (sum(ins) !== sum(outs)) throw new StarkError("BAD_WITNESS", "inputs and outputs do not balance");
  const d = [0, 1, 2].map((k) => {
    let acc = 0;
    for (const v of ins) acc += valueLimbs(v)[k]!;
    for (const v of outs) acc -= valueLimbs(v)[k]!;
    return acc;
  });
  const c0 = d[0]! / 2 ** 22;
  const c1 = (d[1]! + c0) / 2 ** 22;
  return [c0, c1];
}
