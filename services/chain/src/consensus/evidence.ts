import { canonicalEvidence, type DsEvidence, equalBytes, type SignedHash } from "@p2pnode/codec";
import { ConsensusRejection } from "./rejection.js";
import { checkVote, defaultVerify, type VerifyFn } from "./signatures.js";
import { leaderOf, type ValidatorSet } from "./validator-set.js";

/** Equivocation evidence from two leader signatures on different blocks of one slot. */
export function evidenceOf(slot: number, leader: number, a: SignedHash, b: SignedHash): DsEvidence {
  return canonicalEvidence({ slot, leader, first: a, second: b });
}

/**
 * Checks evidence against the genesis keys: the slot's leader signed both block hashes under the
 * relay tag, and they differ. Throws a ConsensusRejection saying why not.
 */
export function verifyEvidence(set: ValidatorSet, e: DsEvidence, verifyFn: VerifyFn = defaultVerify): void {
  if (e.leader !== leaderOf(set, e.slot)) {
    throw new ConsensusRejection(
      "WRONG_LEADER",
      `evidence: validator ${e.leader} does not lead slot ${e.slot}`,
    );
  }
  if (equalBytes(e.first.blockHash, e.second.blockHash)) {
    throw new ConsensusRejection("MALFORMED", "evidence: both halves name the same block");
  }
  for (const half of [e.first, e.second]) {
    if (!checkVote(set, verifyFn, "relay", e.slot, half.blockHash, e.leader, half.signature)) {
      throw new ConsensusRejection("BAD_SIGNATURE", `evidence: not validator ${e.leader}'s signature`);
    }
  }
}
