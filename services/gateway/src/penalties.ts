import type { ScoreKind } from "./scoring.js";

/*
 * How a chain rejection of something a peer sent reflects on that peer. Only faults the sender
 * could not have made honestly cost much: a block with bad proof of work or signatures is
 * forged; a block whose parent we lack is ordinary life in a gossip network (sync instead); a
 * policy refusal of the chain (packages/rules POLICY_REFUSALS, a fork below our reorg limit) says
 * nothing about the peer.
 */

const BLOCK_FORGED = new Set([
  "INVALID_POW",
  "INVALID_HASH",
  "INVALID_SIGNATURE",
  "BAD_MERKLE_ROOT",
  "BAD_TARGET",
  "BAD_HEIGHT",
  "BAD_VERSION",
  "BAD_REWARD",
  "BAD_STATE_ROOT",
  "OVERSIZE",
  "DECODE_FAILED",
  "WRONG_CHAIN",
  "INVALID_TX",
  "BAD_NONCE",
  "INSUFFICIENT_FUNDS",
  "INVALID_ANCESTOR",
  "VALIDATION_FAILED",
  "NO_CERTIFICATE",
  "BAD_CERTIFICATE",
  // Shielded: a block carrying a bad proof or a double spend was never valid anywhere.
  "BAD_PROOF",
  "NULLIFIER_SPENT",
  "UNKNOWN_ROOT",
  "VALUE_IMBALANCE",
  "BAD_FIELD_ELEMENT",
]);
/** The parent is unknown or elsewhere: fetch headers from this peer. */
export const BLOCK_NEEDS_SYNC = new Set(["PREV_HASH_MISMATCH", "MISSED_BLOCK"]);

const TX_FORGED = new Set([
  "INVALID_SIGNATURE",
  "DECODE_FAILED",
  "WRONG_CHAIN",
  "OVERSIZE",
  "INVALID_TX",
  "VALIDATION_FAILED",
  // A proof that does not verify or a non-field word cannot be sent honestly.
  "BAD_PROOF",
  "BAD_FIELD_ELEMENT",
]);
/** A nullifier spent or an anchor aged out may be a race between honest relays, as a nonce is. */
const TX_STALE = new Set([
  "BAD_NONCE",
  "INSUFFICIENT_FUNDS",
  "FEE_TOO_LOW",
  "NULLIFIER_SPENT",
  "UNKNOWN_ROOT",
  "VALUE_IMBALANCE",
]);

/**
 * The chain did not rule (down, restarting, not ready): nothing is known about the item, so it is
 * not remembered as seen and the next announcement fetches it again.
 */
export const CHAIN_UNAVAILABLE = new Set(["UPSTREAM_UNAVAILABLE", "TIMEOUT", "NOT_READY", "INTERNAL"]);

/** The score event for a rejected block, or undefined when the peer is not to blame. */
export function blockPenalty(code: string): ScoreKind | undefined {
  if (BLOCK_FORGED.has(code)) return "INVALID_BLOCK";
  // A timestamp too far ahead may be the sender's clock, not malice.
  if (code === "BAD_TIMESTAMP") return "PROTOCOL_VIOLATION";
  return undefined;
}

export function txPenalty(code: string): ScoreKind | undefined {
  if (TX_FORGED.has(code)) return "INVALID_TX";
  if (TX_STALE.has(code)) return "UNWANTED_TX";
  return undefined;
}
