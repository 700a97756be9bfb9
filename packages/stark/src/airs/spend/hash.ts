import { StarkError } from "../../errors.js";
import { P } from "../../field.js";
import { FastRescue } from "../../rescue/fast.js";
import { rescue16Params } from "../../rescue/params.js";
import { valueLimbs } from "./values.js";

/**
 * The hashes a shielded spend proves, over the width-16 Rescue-Prime instance (rate = words
 * 0..7, capacity = words 8..15). Digests are 8 field elements (~248 bits, ~124-bit collision
 * resistance). Each sponge call absorbs a fixed-length input, so the capacity starts at
 * IV = (input length, domain tag, 0, …) instead of padding, and the calls of different
 * purposes cannot collide. Merkle nodes use the truncated permutation on the full state
 * (left ‖ right), one permutation per node; its leaves are sponge outputs, so a forged path
 * needs a meet in the middle on 248-bit values (~2^124 work).
 *
 *   pk   = S_pk(sk)                       sk: 4 words (~124 bits), the spending key
 *   cm   = S_cm(pk ‖ ρ ‖ v0 v1 v2 ‖ r)     pk 8, ρ 4, value limbs 3, r 4 words (3 blocks)
 *   nf   = S_nf(sk ‖ ρ)                    unlinkable to cm without sk
 *   ρ_j  = S_ρ(nf_0 ‖ j)[0..4]             the ρ of output j: unique because nf_0 is
 *   node = Perm(left ‖ right)[0..8]
 */
export type Digest = readonly number[];
export const DIGEST_WORDS = 8;
export const KEY_WORDS = 4;
export const RATE = 8;

export const TAG_PK = 1;
export const TAG_CM = 2;
export const TAG_NF = 3;
export const TAG_RHO = 4;
/** Words absorbed by each sponge (the first capacity word). */
export const LEN_PK = 4;
export const LEN_CM = 19;
export const LEN_NF = 8;
export const LEN_RHO = 8;

/** The capacity half a sponge call starts from. */
export function spongeIv(len: number, tag: number, extra = 0): number[] {
  return [len, tag, extra, 0, 0, 0, 0, 0];
}

/** The empty leaf of the commitment tree (no note's commitment can be all zeros but with ~2^-248 odds). */
export const EMPTY_LEAF: Digest = [0, 0, 0, 0, 0, 0, 0, 0];

let perm: FastRescue | undefined;
const state = new Float64Array(16);
function permute(): void {
  perm ??= new FastRescue(rescue16Params());
  perm.permute(state);
}
function digestOfState(words = DIGEST_WORDS): number[] {
  return Array.from(state.subarray(0, words));
}

export function spendPk(sk: readonly number[]): Digest {
  checkWords(sk, KEY_WORDS, "spending key");
  state.set([...sk, 0, 0, 0, 0, ...spongeIv(LEN_PK, TAG_PK)]);
  permute();
  return digestOfState();
}

export function nullifierOf(sk: readonly number[], rho: readonly number[]): Digest {
  checkWords(sk, KEY_WORDS, "spending key");
  checkWords(rho, KEY_WORDS, "rho");
  state.set([...sk, ...rho, ...spongeIv(LEN_NF, TAG_NF)]);
  permute();
  return digestOfState();
}

/** The second and third blocks of a note commitment (added to the rate after each permutation). */
export function commitmentBlocks(
  rho: readonly number[],
  value: bigint,
  r: readonly number[],
): [number[], number[]] {
  checkWords(rho, KEY_WORDS, "rho");
  checkWords(r, KEY_WORDS, "r");
  const [v0, v1, v2] = valueLimbs(value);
  return [
    [...rho, v0, v1, v2, r[0]!],
    [r[1]!, r[2]!, r[3]!, 0, 0, 0, 0, 0],
  ];
}

export function noteCommitment(
  pk: Digest,
  value: bigint,
  rho: readonly number[],
  r: readonly number[],
): Digest {
  checkWords(pk, DIGEST_WORDS, "owner key");
  const blocks = commitmentBlocks(rho, value, r);
  state.set([...pk, ...spongeIv(LEN_CM, TAG_CM)]);
  permute();
  for (const block of blocks) {
    for (let j = 0; j < RATE; j++) state[j] = (state[j]! + block[j]!) % P;
    permute();
  }
  return digestOfState();
}

export function outputRho(nf0: Digest, j: number): number[] {
  checkWords(nf0, DIGEST_WORDS, "nullifier");
  state.set([...nf0, ...spongeIv(LEN_RHO, TAG_RHO, j)]);
  permute();
  return digestOfState(KEY_WORDS);
}

export function merkleNode(left: Digest, right: Digest): Digest {
  for (let j = 0; j < DIGEST_WORDS; j++) {
    state[j] = left[j]!;
    state[DIGEST_WORDS + j] = right[j]!;
  }
  permute();
  return digestOfState();
}

/** Throws unless `v` is `len` canonical field elements. */
export function checkWords(v: readonly number[], len: number, what: string): void {
  if (v.length !== len || v.some((x) => !Number.isInteger(x) || x < 0 || x >= P))
    throw new StarkError("BAD_PARAMETERS", `${what} must be ${len} field elements in [0, ${P})`);
}
