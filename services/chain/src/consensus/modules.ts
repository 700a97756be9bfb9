import type { DsCertificate, DsEvidence } from "@p2pnode/codec";
import type { ConsensusRejectReason } from "@p2pnode/types";
import type { VerifyFn } from "./signatures.js";

/*
 * What the Dolev-Strong state machine is given instead of doing I/O itself: a clock, a way to
 * broadcast bytes to the other validators, its signing key, and the chain's view of blocks. The
 * chain service wires these to real time, the gateway and the mempool; the simulation wires
 * them to a virtual clock and network.
 */

export interface ConsensusClock {
  /** Milliseconds, on the same scale as the genesis timestamp. */
  now(): number;
}

export interface ConsensusNetwork {
  /** Sends one encoded consensus message to every other validator. */
  broadcast(message: Uint8Array): void;
}

export interface ConsensusSigner {
  /** This validator's index in the genesis list. */
  readonly index: number;
  /** Ed25519 signature of `message` with this validator's key. */
  sign(message: Uint8Array): Uint8Array;
}

export interface BlockSource {
  /** The encoded block this validator proposes when it leads `slot`, or undefined to propose none. */
  build(slot: number): Uint8Array | undefined;
  /** The block's hash; throws for bytes that are not a well-formed block. */
  hash(block: Uint8Array): Uint8Array;
  /**
   * Whether to commit-sign a decided block (for the chain: it applies on the last final block).
   * Absent means always. Agreement does not depend on it; certificates vouch only for blocks
   * f + 1 validators were willing to commit.
   */
  canCommit?(slot: number, block: Uint8Array): boolean;
}

/** The outcome of one slot at one validator, at the end of round f + 1. */
export interface Decision {
  slot: number;
  /** The decided block, or null for ⊥ (no value, or two or more values seen). */
  blockHash: Uint8Array | null;
  block: Uint8Array | null;
  /** Distinct leader-signed values this validator accepted (0, 1, or 2 meaning "two or more"). */
  valuesSeen: number;
  /** The round in which the decided value was accepted (0 for the leader's own), or null. */
  acceptedInRound: number | null;
  at: number;
}

/** A block became final: f + 1 commit signatures on it arrived. */
export interface Finality {
  slot: number;
  blockHash: Uint8Array;
  certificate: DsCertificate;
  at: number;
}

export interface Rejected {
  reason: ConsensusRejectReason;
  message: string;
  /** Who handed us the message (a peer id), when the caller said. */
  from: string | undefined;
}

export interface ConsensusEvents {
  proposed?(e: { slot: number; blockHash: Uint8Array }): void;
  decided?(d: Decision): void;
  finalized?(f: Finality): void;
  evidence?(e: DsEvidence): void;
  rejected?(r: Rejected): void;
}

export interface DolevStrongModules {
  clock: ConsensusClock;
  network: ConsensusNetwork;
  signer: ConsensusSigner;
  blocks: BlockSource;
  events?: ConsensusEvents;
  /** Defaults to crypto's one `verify`. */
  verify?: VerifyFn;
}
