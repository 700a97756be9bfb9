import { MAX_VALIDATORS } from "@p2pnode/types";
import { CodecError } from "../errors.js";

/*
 * The signer bitmask of Dolev-Strong relays and commit certificates: one bit per validator of the
 * genesis list, validator i at byte ⌊i/8⌋, bit i mod 8 counted from the least significant bit
 * (Ethereum's bitfield order). Its length is ⌈n/8⌉ bytes for n validators, never more, and the
 * padding bits past n are zero, so one signer set has exactly one mask.
 */

/** Bytes of the mask of `validatorCount` validators. */
export function maskBytes(validatorCount: number): number {
  checkValidatorCount(validatorCount);
  return Math.ceil(validatorCount / 8);
}

export function checkValidatorCount(validatorCount: number): void {
  if (!Number.isInteger(validatorCount) || validatorCount < 1 || validatorCount > MAX_VALIDATORS) {
    throw new CodecError(
      "ENCODE_INVALID",
      `validator count: expected 1 to ${MAX_VALIDATORS}, got ${String(validatorCount)}`,
    );
  }
}

/** An empty mask for `validatorCount` validators. */
export function emptyMask(validatorCount: number): Uint8Array {
  return new Uint8Array(maskBytes(validatorCount));
}

export function hasBit(mask: Uint8Array, index: number): boolean {
  return ((mask[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/** A copy of `mask` with bit `index` set. */
export function withBit(mask: Uint8Array, index: number): Uint8Array {
  const out = new Uint8Array(mask);
  if (index < 0 || index >> 3 >= out.length) {
    throw new CodecError("ENCODE_INVALID", `signer ${index} does not fit a ${out.length}-byte mask`);
  }
  out[index >> 3]! |= 1 << (index & 7);
  return out;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

/** Number of bits set. */
export function popcount(mask: Uint8Array): number {
  let n = 0;
  for (const b of mask) n += POPCOUNT[b]!;
  return n;
}

/** Indices of the bits set, ascending: the order signatures follow in every message. */
export function maskSigners(mask: Uint8Array): number[] {
  const out: number[] = [];
  for (let byte = 0; byte < mask.length; byte++) {
    const b = mask[byte]!;
    if (b === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(byte * 8 + bit);
  }
  return out;
}

/** A mask with exactly `signers` set. */
export function maskOf(signers: readonly number[], validatorCount: number): Uint8Array {
  let mask = emptyMask(validatorCount);
  for (const i of signers) {
    if (!Number.isInteger(i) || i < 0 || i >= validatorCount) {
      throw new CodecError("ENCODE_INVALID", `signer ${i}: not a validator index below ${validatorCount}`);
    }
    mask = withBit(mask, i);
  }
  return mask;
}

/**
 * Checks a received mask against the validator count: exactly ⌈n/8⌉ bytes (DECODE_MASK_SIZE) and
 * no bit at or past n (DECODE_UNKNOWN_SIGNER).
 */
export function checkMask(mask: Uint8Array, validatorCount: number, what: string): void {
  const expected = maskBytes(validatorCount);
  if (mask.length !== expected) {
    throw new CodecError(
      "DECODE_MASK_SIZE",
      `${what}: signer mask of ${mask.length} bytes, expected ${expected} for ${validatorCount} validators`,
    );
  }
  const used = validatorCount & 7;
  if (used !== 0 && mask[expected - 1]! >> used !== 0) {
    throw new CodecError(
      "DECODE_UNKNOWN_SIGNER",
      `${what}: signer bit set past the ${validatorCount} validators`,
    );
  }
}
