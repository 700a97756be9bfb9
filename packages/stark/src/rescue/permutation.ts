import { add, mul, P, pow } from "../field.js";
import { RESCUE, type RescueParams } from "./params.js";

function mdsTimes(mds: number[][], s: number[]): number[] {
  return mds.map((row) => {
    let acc = 0;
    for (let j = 0; j < row.length; j++) acc += mul(row[j]!, s[j]!);
    return acc % P;
  });
}

/** One Rescue round (α layer, MDS, constants, α⁻¹ layer, MDS, constants). */
export function rescueRound(state: number[], r: number, rp: RescueParams = RESCUE): number[] {
  const m = rp.m;
  let s = state.map((x) => mul(mul(x, x), x));
  s = mdsTimes(rp.mds, s).map((x, j) => add(x, rp.constants[2 * r * m + j]!));
  s = s.map((x) => pow(x, rp.alphaInv));
  return mdsTimes(rp.mds, s).map((x, j) => add(x, rp.constants[2 * r * m + m + j]!));
}

export function rescuePermutation(state: readonly number[], rp: RescueParams = RESCUE): number[] {
  let s = [...state];
  for (let r = 0; r < rp.rounds; r++) s = rescueRound(s, r, rp);
  return s;
}

/**
 * The hash the chain AIR proves: H(x) = first 4 words of Perm(x ‖ 4, 0, 0, 0) for a 4-element
 * input. Capacity word 0 carries the input length, the fixed-length domain separation of
 * Rescue-Prime Optimized (ePrint 2022/1577) instead of a padding block, so one permutation per hash.
 */
export const RESCUE_IV = [4, 0, 0, 0] as const;

export function rescueHash(x: readonly number[]): number[] {
  return rescuePermutation([...x, ...RESCUE_IV]).slice(0, 4);
}

export function rescueChain(x: readonly number[], n: number): number[] {
  let v = [...x];
  for (let i = 0; i < n; i++) v = rescueHash(v);
  return v;
}
