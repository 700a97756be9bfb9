import { type DsEvidence, equalBytes, type SignedHash, toHex } from "@p2pnode/codec";
import { CommitTally } from "./commit-tally.js";
import { evidenceOf } from "./evidence.js";
import type { Decision } from "./modules.js";
import type { VerifyFn } from "./signatures.js";
import { decisionTime, leaderOf, type ValidatorSet } from "./validator-set.js";

/** A value this validator accepted: what it needs to relay it and, if it is the only one, decide it. */
export interface AcceptedValue {
  blockHash: Uint8Array;
  block: Uint8Array;
  /** The round it was accepted in (0: the leader's own proposal). */
  round: number;
}

/** Distinct block hashes whose verified signatures a slot remembers, so relays are not re-verified. */
const CACHED_VALUES = 16;

/**
 * One validator's state for one slot. Bounded whatever peers send: at most two accepted values
 * are kept (a third only moves the count, since two already mean ⊥), two leader signatures (one
 * pair is the evidence), the signature cache of a few values, and the commit tally.
 */
export class SlotState {
  readonly leader: number;
  readonly decideAt: number;
  readonly accepted: AcceptedValue[] = [];
  /** Values accepted, counting past the two kept. */
  acceptedCount = 0;
  /** Values relayed; the protocol relays at most two. */
  relayed = 0;
  decision: Decision | undefined;
  finalized = false;
  evidence: DsEvidence | undefined;
  readonly tally: CommitTally;
  private readonly leaderSigned = new Map<string, SignedHash>();
  private readonly verified = new Map<string, Map<number, Uint8Array>>();

  constructor(
    set: ValidatorSet,
    readonly slot: number,
    /** False for slots that began before this validator started: it neither relays nor decides. */
    readonly participating: boolean,
    verifyFn: VerifyFn,
  ) {
    this.leader = leaderOf(set, slot);
    this.decideAt = decisionTime(set, slot);
    this.tally = new CommitTally(set, slot, verifyFn);
  }

  hasAccepted(blockHash: Uint8Array): boolean {
    return this.accepted.some((v) => equalBytes(v.blockHash, blockHash));
  }

  accept(value: AcceptedValue): void {
    this.acceptedCount++;
    if (this.accepted.length < 2) this.accepted.push(value);
  }

  /**
   * Whether `signature` is already known to be `signer`'s valid relay signature on the value
   * whose hash has hex `valueKey`.
   */
  knownSignature(valueKey: string, signer: number, signature: Uint8Array): boolean {
    const known = this.verified.get(valueKey)?.get(signer);
    return known !== undefined && equalBytes(known, signature);
  }

  rememberSignature(valueKey: string, signer: number, signature: Uint8Array): void {
    const key = valueKey;
    let forValue = this.verified.get(key);
    if (!forValue) {
      if (this.verified.size >= CACHED_VALUES) return;
      forValue = new Map();
      this.verified.set(key, forValue);
    }
    forValue.set(signer, signature);
  }

  /**
   * Records a verified leader signature; answers new evidence the first time two different
   * leader-signed hashes are known for this slot.
   */
  noteLeaderSignature(signed: SignedHash): DsEvidence | undefined {
    const key = toHex(signed.blockHash);
    if (this.leaderSigned.has(key)) return undefined;
    const [other] = this.leaderSigned.values();
    if (this.leaderSigned.size < 2) this.leaderSigned.set(key, signed);
    if (!other || this.evidence) return undefined;
    this.evidence = evidenceOf(this.slot, this.leader, other, signed);
    return this.evidence;
  }

  /** The outcome at the end of round f + 1: exactly one value → that block, otherwise ⊥. */
  decide(at: number): Decision {
    const only = this.acceptedCount === 1 ? this.accepted[0]! : undefined;
    this.decision = {
      slot: this.slot,
      blockHash: only?.blockHash ?? null,
      block: only?.block ?? null,
      valuesSeen: Math.min(this.acceptedCount, 2),
      acceptedInRound: only?.round ?? null,
      at,
    };
    return this.decision;
  }
}
