import { z } from "zod";

/**
 * Why a consensus message, certificate or piece of evidence was refused. Reported to the caller
 * (and later to the gateway, which scores the peer that sent it); `CONSENSUS_FAULTS` lists the
 * reasons only a faulty or hostile sender produces.
 */
export const ConsensusRejectReason = z.enum([
  /** Bytes that do not decode as a consensus message. */
  "MALFORMED",
  /** A signer bitmask whose length is not ⌈n/8⌉ for the genesis validator count. */
  "MASK_SIZE",
  /** A signer bit or index at or past the validator count. */
  "UNKNOWN_SIGNER",
  /** A signer bit set without a signature for it. */
  "MISSING_SIGNATURE",
  /** More signatures than signer bits. */
  "EXTRA_SIGNATURE",
  /** A signature that does not verify: forged, or made for another slot, chain, block or tag. */
  "BAD_SIGNATURE",
  /** A relay without the slot leader's signature. */
  "NO_LEADER_SIGNATURE",
  /** A proposal or relay naming a leader that is not the slot's. */
  "WRONG_LEADER",
  /** An attached block that does not decode or does not hash to the block hash. */
  "BAD_BLOCK",
  /** A validator commit-signed two different blocks in one slot. */
  "CONFLICTING_COMMIT",
  /** A certificate with fewer than f + 1 signers. */
  "TOO_FEW_SIGNERS",
  /** A relay carrying fewer signatures than the round it arrived in (not valid now; often late). */
  "TOO_FEW_SIGNATURES",
  /** A relay or proposal after its slot was decided. */
  "LATE",
  /** A slot this node keeps no state for: too far ahead or already pruned. */
  "SLOT_OUT_OF_WINDOW",
  /** A relay of a value this validator does not hold, without the block. */
  "NO_BLOCK",
  /** A commit signature already counted. */
  "DUPLICATE_SIGNER",
]);
export type ConsensusRejectReason = z.infer<typeof ConsensusRejectReason>;

/** Reasons that prove the sender (or the signer it relays) misbehaved, as opposed to lateness. */
export const CONSENSUS_FAULTS: ReadonlySet<ConsensusRejectReason> = new Set([
  "MALFORMED",
  "MASK_SIZE",
  "UNKNOWN_SIGNER",
  "MISSING_SIGNATURE",
  "EXTRA_SIGNATURE",
  "BAD_SIGNATURE",
  "NO_LEADER_SIGNATURE",
  "WRONG_LEADER",
  "BAD_BLOCK",
  "CONFLICTING_COMMIT",
  "TOO_FEW_SIGNERS",
]);
