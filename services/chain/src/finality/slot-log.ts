import { type DsMessage, maskSigners, toHex } from "@p2pnode/codec";
import type { ConsensusSlot, ConsensusSlots } from "@p2pnode/types";
import {
  checkVote,
  defaultVerify,
  leaderOf,
  roundAt,
  slotAt,
  slotStart,
  type ValidatorSet,
  type VerifyFn,
} from "../consensus/index.js";

/** Slots remembered: the most GET /consensus/slots shows. */
export const SLOT_LOG_SLOTS = 64;

interface SlotRecord {
  /** Leader-signed block hashes (hex), at most two. */
  values: string[];
  signed: ConsensusSlot["signed"];
  /** "value:validator" / "commit:validator" already recorded (each is verified once). */
  seen: Set<string>;
  /** This validator's decision: a block hash (hex), null for ⊥, undefined before it decides. */
  decision?: string | null;
}

/** A final block as the chain's store knows it, for a slot. */
export interface FinalInSlot {
  height: number;
  hash: string;
  signers: number[];
}

/**
 * What this node saw of each recent slot, for the dashboard's heatmap: which validator's
 * signature first reached it in which round, on which of the leader's values, and whose commit
 * votes arrived. Every signature recorded is verified here once (a validator skips the check of
 * relays for a value it already holds, and a follower checks only the leader's), so a peer cannot
 * paint a validator into the map. Bounded: SLOT_LOG_SLOTS slots, two values, one entry per
 * (value or commit, validator).
 */
export class SlotLog {
  private readonly slots = new Map<number, SlotRecord>();
  /** The first slot that started after this log did: earlier ones were not watched. */
  readonly firstWatched: number;

  constructor(
    private readonly set: ValidatorSet,
    now: number,
    private readonly verify: VerifyFn = defaultVerify,
  ) {
    this.firstWatched = slotAt(set, now) + 1;
  }

  /**
   * A consensus message this node accepted (or sent), arriving at `at`. `blockHash` is the
   * proposal's block hash (the caller hashed it already).
   */
  note(m: DsMessage, at: number, proposalHash?: Uint8Array): void {
    const current = slotAt(this.set, at);
    if (m.slot < 1 || m.slot > current + 1 || m.slot <= current - SLOT_LOG_SLOTS) return;
    const rec = this.record(m.slot);
    if (m.kind === "evidence") {
      // Checked evidence: the leader signed both, even if only one of them reached us.
      this.valueIndex(rec, m.first.blockHash);
      this.valueIndex(rec, m.second.blockHash);
      return;
    }
    const round = Math.min(roundAt(this.set, m.slot, at), this.set.f + 2);
    if (m.kind === "commit") {
      const key = `commit:${m.signer}`;
      if (rec.seen.has(key)) return;
      rec.seen.add(key);
      // A commit names a value the leader signed; one not seen here yet is shown with the first.
      const value = Math.max(0, rec.values.indexOf(toHex(m.blockHash)));
      rec.signed.push({ validator: m.signer, round, kind: "commit", value });
      return;
    }
    if (m.kind === "proposal") {
      if (!proposalHash) return;
      const value = this.valueIndex(rec, proposalHash);
      const key = `${value}:${m.leader}`;
      if (rec.seen.has(key)) return;
      rec.seen.add(key);
      rec.signed.push({ validator: m.leader, round, kind: "relay", value });
      return;
    }
    const value = this.valueIndex(rec, m.blockHash);
    maskSigners(m.mask).forEach((signer, i) => {
      const key = `${value}:${signer}`;
      if (rec.seen.has(key)) return;
      if (!checkVote(this.set, this.verify, "relay", m.slot, m.blockHash, signer, m.signatures[i]!)) return;
      rec.seen.add(key);
      rec.signed.push({ validator: signer, round, kind: "relay", value });
    });
  }

  /** This validator decided the slot: a block (its hash) or ⊥ (null). */
  decided(slot: number, blockHash: Uint8Array | null): void {
    this.record(slot).decision = blockHash ? toHex(blockHash) : null;
  }

  /**
   * The newest `limit` slots up to the running one. `finals` are the chain's final blocks by
   * slot; a slot with one is final whatever was seen of it.
   */
  view(limit: number, now: number, finals: Map<number, FinalInSlot>): ConsensusSlots {
    const current = slotAt(this.set, now);
    const slots: ConsensusSlot[] = [];
    for (let s = current; s >= 1 && slots.length < limit; s--) {
      const rec = this.slots.get(s);
      const block = finals.get(s) ?? null;
      slots.push({
        slot: s,
        leader: leaderOf(this.set, s),
        outcome: this.outcome(s, now, rec, block),
        values: rec ? [...rec.values] : [],
        signed: rec ? rec.signed.map((x) => ({ ...x })) : [],
        block,
      });
    }
    return { validators: this.set.keys.length, f: this.set.f, roundMs: this.set.roundMs, current, slots };
  }

  private outcome(
    slot: number,
    now: number,
    rec: SlotRecord | undefined,
    block: FinalInSlot | null,
  ): ConsensusSlot["outcome"] {
    if (block) return "final";
    if (rec?.decision === null) return "bottom";
    if (rec?.decision) return "decided";
    // A node that does not decide: a round past the slot's end, its block would be here.
    if (now < slotStart(this.set, slot + 1) + this.set.roundMs) return "open";
    return slot >= this.firstWatched ? "bottom" : "unknown";
  }

  private record(slot: number): SlotRecord {
    let rec = this.slots.get(slot);
    if (!rec) {
      rec = { values: [], signed: [], seen: new Set() };
      this.slots.set(slot, rec);
      while (this.slots.size > SLOT_LOG_SLOTS) this.slots.delete(Math.min(...this.slots.keys()));
    }
    return rec;
  }

  /** The index of a value (0 or 1); a third value of an equivocating leader counts as the second. */
  private valueIndex(rec: SlotRecord, blockHash: Uint8Array): number {
    const key = toHex(blockHash);
    const i = rec.values.indexOf(key);
    if (i >= 0) return i;
    if (rec.values.length < 2) rec.values.push(key);
    return rec.values.length - 1;
  }
}
