import { type VoteKind, verify, voteSigningBytes } from "@p2pnode/crypto";
import type { ValidatorSet } from "./validator-set.js";

/**
 * The signature check consensus uses: crypto's one `verify` unless a test or the simulation
 * injects another (the simulation's ideal signatures are hundreds of times cheaper than Ed25519).
 */
export type VerifyFn = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export const defaultVerify: VerifyFn = verify;

/** Whether `signature` is validator `signer`'s vote of `kind` for (slot, blockHash) on this chain. */
export function checkVote(
  set: ValidatorSet,
  verifyFn: VerifyFn,
  kind: VoteKind,
  slot: number,
  blockHash: Uint8Array,
  signer: number,
  signature: Uint8Array,
): boolean {
  const key = set.keys[signer];
  if (key === undefined) return false;
  return verifyFn(signature, voteSigningBytes(kind, set.chainId, slot, blockHash), key);
}
