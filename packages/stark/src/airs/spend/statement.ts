import { StarkError } from "../../errors.js";
import { checkWords, DIGEST_WORDS, type Digest, outputRho } from "./hash.js";
import { checkU64, u64Words, valueLimbs } from "./values.js";

/**
 * The public statement of a 2-input / 2-output spend: the anchor (a recent root of the
 * commitment tree), the two nullifiers, the two output commitments, the transparent amounts
 * entering and leaving the pool and the fee, and the hash of the transaction carrying the
 * proof — a public input, so the Fiat–Shamir transcript binds the proof to that transaction.
 */
export interface SpendStatement {
  root: Digest;
  nullifiers: readonly [Digest, Digest];
  commitments: readonly [Digest, Digest];
  publicIn: bigint;
  publicOut: bigint;
  fee: bigint;
  /** 32 bytes. */
  txHash: Uint8Array;
}

export const TX_HASH_BYTES = 32;

export function checkStatement(s: SpendStatement): void {
  checkWords(s.root, DIGEST_WORDS, "root");
  for (const d of [...s.nullifiers, ...s.commitments]) checkWords(d, DIGEST_WORDS, "digest");
  if (s.nullifiers.length !== 2 || s.commitments.length !== 2)
    throw new StarkError("BAD_PARAMETERS", "a spend has two nullifiers and two commitments");
  // Two inputs spending one note would share a nullifier; the AIR cannot see that, the statement can.
  if (s.nullifiers[0].every((v, j) => v === s.nullifiers[1][j]))
    throw new StarkError("BAD_PARAMETERS", "the two nullifiers of a spend must differ");
  checkU64(s.publicIn, "publicIn");
  checkU64(s.publicOut, "publicOut");
  checkU64(s.fee, "fee");
  if (!(s.txHash instanceof Uint8Array) || s.txHash.length !== TX_HASH_BYTES)
    throw new StarkError("BAD_PARAMETERS", `txHash must be ${TX_HASH_BYTES} bytes`);
}

/** The statement as public-input words (all < 2^16 or field elements), in a fixed order. */
export function statementWords(s: SpendStatement): number[] {
  const hash: number[] = [];
  for (let i = 0; i < TX_HASH_BYTES; i += 2) hash.push((s.txHash[i]! << 8) | s.txHash[i + 1]!);
  return [
    ...s.root,
    ...s.nullifiers[0],
    ...s.nullifiers[1],
    ...s.commitments[0],
    ...s.commitments[1],
    ...u64Words(s.publicIn),
    ...u64Words(s.publicOut),
    ...u64Words(s.fee),
    ...hash,
  ];
}

/** Constants the constraints use, derived once from the statement. */
export interface SpendConstants {
  root: Digest;
  nullifiers: readonly [Digest, Digest];
  commitments: readonly [Digest, Digest];
  /** ρ of each output, derived from the first nullifier (hash.ts). */
  rhoOut: readonly [number[], number[]];
  /** Per limb: publicIn − publicOut − fee, as a small signed integer. */
  publicLimbs: [number, number, number];
}

export function spendConstants(s: SpendStatement): SpendConstants {
  checkStatement(s);
  const pin = valueLimbs(s.publicIn);
  const pout = valueLimbs(s.publicOut);
  const fee = valueLimbs(s.fee);
  return {
    root: s.root,
    nullifiers: s.nullifiers,
    commitments: s.commitments,
    rhoOut: [outputRho(s.nullifiers[0], 0), outputRho(s.nullifiers[0], 1)],
    publicLimbs: [0, 1, 2].map((k) => pin[k]! - pout[k]! - fee[k]!) as [number, number, number],
  };
}
