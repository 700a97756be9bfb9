import {
  type DsEvidence,
  type DsMessage,
  decodeBlock,
  decodeDsMessage,
  equalBytes,
  hasBit,
  maskSigners,
  toHex,
} from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import type { ConsensusRejectReason } from "@p2pnode/types";
import {
  ConsensusRejection,
  checkVote,
  defaultVerify,
  evidenceOf,
  leaderOf,
  slotAt,
  type ValidatorSet,
  verifyEvidence,
} from "../consensus/index.js";
import { refusalOfDecodeError } from "../consensus/rejection.js";

export interface FollowerRefusal {
  reason: ConsensusRejectReason;
  message: string;
}

/** Leader signatures remembered per slot, to notice a leader signing two blocks. */
const SLOTS_TRACKED = 16;

/**
 * What a node that is not a validator checks of a consensus message before its gateway floods it
 * on: it decodes for this validator count, is inside the slot window, and the signature it hinges
 * on (the leader's for a proposal or relay, the signer's for a commit vote) verifies. It also
 * notices a leader signing two blocks in a slot, so full nodes record equivocation evidence too.
 */
export class FollowerChecks {
  private readonly leaderSigned = new Map<number, { blockHash: Uint8Array; signature: Uint8Array }>();

  constructor(
    private readonly set: ValidatorSet,
    private readonly now: () => number,
    private readonly onEvidence: (e: DsEvidence) => void,
  ) {}

  check(bytes: Uint8Array): FollowerRefusal | undefined {
    let m: DsMessage;
    try {
      m = decodeDsMessage(bytes, this.set.keys.length);
    } catch (err) {
      return refusalOfDecodeError(err);
    }
    if (m.kind === "evidence") {
      try {
        verifyEvidence(this.set, m);
      } catch (err) {
        if (err instanceof ConsensusRejection) return { reason: err.code, message: err.message };
        throw err;
      }
      this.onEvidence(m);
      return undefined;
    }
    const current = slotAt(this.set, this.now());
    if (m.slot < 1 || m.slot > current + 1 || m.slot < current - 2) {
      return { reason: "SLOT_OUT_OF_WINDOW", message: `slot ${m.slot} while slot ${current} runs` };
    }
    if (m.kind === "commit") {
      return checkVote(this.set, defaultVerify, "commit", m.slot, m.blockHash, m.signer, m.signature)
        ? undefined
        : { reason: "BAD_SIGNATURE", message: `not validator ${m.signer}'s commit in slot ${m.slot}` };
    }
    const leader = leaderOf(this.set, m.slot);
    if (m.leader !== leader) {
      return { reason: "WRONG_LEADER", message: `validator ${m.leader} does not lead slot ${m.slot}` };
    }
    let blockHash: Uint8Array;
    let signature: Uint8Array;
    if (m.kind === "proposal") {
      try {
        blockHash = headerHash(decodeBlock(m.block).header);
      } catch (err) {
        return { reason: "BAD_BLOCK", message: `not a block: ${(err as Error).message.split("\n")[0]}` };
      }
      signature = m.signature;
    } else {
      if (!hasBit(m.mask, leader))
        return { reason: "NO_LEADER_SIGNATURE", message: "relay without the leader's bit" };
      blockHash = m.blockHash;
      signature = m.signatures[maskSigners(m.mask).indexOf(leader)]!;
      if (m.block.length > 0) {
        let attached: Uint8Array;
        try {
          attached = headerHash(decodeBlock(m.block).header);
        } catch {
          return { reason: "BAD_BLOCK", message: "relay: the attached block does not decode" };
        }
        if (!equalBytes(attached, blockHash)) {
          return {
            reason: "BAD_BLOCK",
            message: "relay: the attached block does not hash to the block hash",
          };
        }
      }
    }
    if (!checkVote(this.set, defaultVerify, "relay", m.slot, blockHash, leader, signature)) {
      return {
        reason: "BAD_SIGNATURE",
        message: `not validator ${leader}'s relay of this block in slot ${m.slot}`,
      };
    }
    this.noteLeaderSignature(m.slot, leader, blockHash, signature);
    return undefined;
  }

  private noteLeaderSignature(
    slot: number,
    leader: number,
    blockHash: Uint8Array,
    signature: Uint8Array,
  ): void {
    const seen = this.leaderSigned.get(slot);
    if (!seen) {
      this.leaderSigned.set(slot, { blockHash, signature });
      for (const s of this.leaderSigned.keys()) if (s < slot - SLOTS_TRACKED) this.leaderSigned.delete(s);
      return;
    }
    if (toHex(seen.blockHash) === toHex(blockHash)) return;
    this.onEvidence(evidenceOf(slot, leader, seen, { blockHash, signature }));
  }
}
