import {
  type DsCommitVote,
  type DsEvidence,
  type DsMessage,
  type DsRelay,
  decodeDsMessage,
  encodeDsMessage,
  equalBytes,
  hasBit,
  maskOf,
  maskSigners,
  popcount,
  toHex,
} from "@p2pnode/codec";
import { voteSigningBytes } from "@p2pnode/crypto";
import { verifyEvidence } from "./evidence.js";
import type { DolevStrongModules, Rejected } from "./modules.js";
import { ConsensusRejection, type Refusal, refusalOfDecodeError, refuse } from "./rejection.js";
import { defaultVerify, type VerifyFn } from "./signatures.js";
import { SlotState } from "./slot-state.js";
import { roundAt, slotAt, slotStart, type ValidatorSet } from "./validator-set.js";

export interface DolevStrongOptions {
  set: ValidatorSet;
  /** Slots kept behind the current one, for late commit votes and evidence. */
  retainSlots: number;
}

export const defaultDolevStrongOptions = {
  // Two slots back: a commit vote is at most one round late under the timing assumption, so
  // this only has to outlast clock skew and a slow tick.
  retainSlots: 2,
} satisfies Partial<DolevStrongOptions>;

/**
 * A proposal or relay as the value rules see it: a proposal is a relay signed by the leader alone
 * whose block was already hashed.
 */
type Value = Omit<DsRelay, "kind"> & { kind: "proposal" | "relay" };

/** Evidence keys remembered to report each equivocation once; the store keeps the evidence itself. */
const EVIDENCE_REMEMBERED = 1_024;

/** Counters a metrics edge exports. */
export interface DolevStrongStats {
  signaturesVerified: number;
  decided: number;
  bottom: number;
  finalized: number;
}

/**
 * One validator running Dolev-Strong, slot after slot (README.md in this folder). Pure: it acts
 * only when handed a message (`receive`) or when its clock passes `nextWakeAt()` (`tick`), and
 * it talks to the world only through its modules.
 */
export class DolevStrong {
  readonly stats: DolevStrongStats = { signaturesVerified: 0, decided: 0, bottom: 0, finalized: 0 };
  private readonly set: ValidatorSet;
  private readonly slots = new Map<number, SlotState>();
  private readonly verifyFn: VerifyFn;
  private readonly self: number;
  /** The first slot this validator takes part in: the first that starts after it did. */
  readonly firstSlot: number;
  private nextSlot: number;
  private readonly evidenceSeen = new Set<string>();

  constructor(
    private readonly opts: DolevStrongOptions,
    private readonly modules: DolevStrongModules,
  ) {
    this.set = opts.set;
    this.self = modules.signer.index;
    const verify = modules.verify ?? defaultVerify;
    this.verifyFn = (sig, msg, key) => {
      this.stats.signaturesVerified++;
      return verify(sig, msg, key);
    };
    const now = modules.clock.now();
    this.firstSlot = Math.max(1, Math.ceil((now - this.set.genesisTime) / this.set.slotMs));
    this.nextSlot = this.firstSlot;
  }

  /** When `tick` has something to do next: a slot start or a decision. */
  nextWakeAt(): number {
    let next = slotStart(this.set, this.nextSlot);
    for (const s of this.slots.values()) {
      if (s.participating && !s.decision && s.decideAt < next) next = s.decideAt;
    }
    return next;
  }

  /** Starts the slots and takes the decisions that are due. */
  tick(): void {
    const now = this.modules.clock.now();
    // After a long pause, skip to the slots that can still matter instead of replaying each.
    this.nextSlot = Math.max(this.nextSlot, slotAt(this.set, now) - this.opts.retainSlots);
    while (slotStart(this.set, this.nextSlot) <= now) this.beginSlot(this.nextSlot++, now);
    for (const s of this.slots.values()) {
      if (s.participating && !s.decision && s.decideAt <= now) this.decide(s, now);
    }
    const oldest = slotAt(this.set, now) - this.opts.retainSlots;
    for (const slot of this.slots.keys()) if (slot < oldest) this.slots.delete(slot);
  }

  /** Handles one encoded consensus message; answers why it was refused, if it was. */
  receive(bytes: Uint8Array, from?: string): Rejected | undefined {
    let message: DsMessage;
    try {
      message = decodeDsMessage(bytes, this.set.keys.length);
    } catch (err) {
      return this.rejected(refusalOfDecodeError(err), from);
    }
    return this.receiveDecoded(message, from);
  }

  /**
   * Handles a message the caller already decoded with `decodeDsMessage` for this validator
   * count (an edge that decodes once for many consumers). The message is not modified.
   */
  receiveDecoded(message: DsMessage, from?: string): Rejected | undefined {
    const refusal = this.handle(message);
    return refusal && this.rejected(refusal, from);
  }

  private rejected(refusal: Refusal, from: string | undefined): Rejected {
    const rejected = { ...refusal, from };
    this.modules.events?.rejected?.(rejected);
    return rejected;
  }

  private handle(m: DsMessage): Refusal | undefined {
    if (m.kind === "evidence") return this.onEvidence(m);
    const state = this.stateFor(m.slot);
    if (!(state instanceof SlotState)) return state;
    if (m.kind === "commit") return this.onCommit(state, m);
    if (m.kind === "proposal") {
      const blockHash = this.blockHash(m.block);
      if (!(blockHash instanceof Uint8Array)) return blockHash;
      const mask = maskOf([m.leader], this.set.keys.length);
      return this.onValue(state, {
        kind: "proposal",
        slot: m.slot,
        leader: m.leader,
        blockHash,
        mask,
        signatures: [m.signature],
        block: m.block,
      });
    }
    return this.onValue(state, m);
  }

  /**
   * The validity and relay rules: a value is accepted in round r when a message carries at
   * least r distinct valid signatures, the leader's among them, and the block; each newly
   * accepted value is relayed (the first two only) with this validator's signature added.
   */
  private onValue(state: SlotState, m: Value): Refusal | undefined {
    if (m.leader !== state.leader)
      return refuse("WRONG_LEADER", `validator ${m.leader} does not lead slot ${m.slot}`);
    if (!hasBit(m.mask, m.leader)) return refuse("NO_LEADER_SIGNATURE", "relay: the leader's bit is not set");
    // A value already accepted was relayed already: nothing in this message can matter.
    if (!state.participating || state.hasAccepted(m.blockHash)) return undefined;
    if (m.kind === "relay" && m.block.length > 0) {
      const attached = this.blockHash(m.block);
      if (!(attached instanceof Uint8Array)) return attached;
      if (!equalBytes(attached, m.blockHash)) {
        return refuse("BAD_BLOCK", "relay: the attached block does not hash to the block hash");
      }
    }
    const signers = maskSigners(m.mask);
    const valueKey = toHex(m.blockHash);
    const leaderAt = signers.indexOf(m.leader);
    const bad = this.checkSignature(state, m, valueKey, leaderAt, m.leader);
    if (bad) return bad;
    const evidence = state.noteLeaderSignature({
      blockHash: m.blockHash,
      signature: m.signatures[leaderAt]!,
    });
    if (evidence) this.modules.events?.evidence?.(evidence);
    const now = this.modules.clock.now();
    if (now >= state.decideAt) return refuse("LATE", `slot ${m.slot} is already decided`);
    const round = roundAt(this.set, m.slot, now);
    const count = popcount(m.mask);
    if (count < round) return refuse("TOO_FEW_SIGNATURES", `${count} signatures in round ${round}`);
    if (m.block.length === 0) return refuse("NO_BLOCK", "relay of a value not held, without its block");
    for (let i = 0; i < signers.length; i++) {
      const wrong =
        signers[i] === m.leader ? undefined : this.checkSignature(state, m, valueKey, i, signers[i]!);
      if (wrong) return wrong;
    }
    state.accept({ blockHash: m.blockHash, block: m.block, round });
    if (state.relayed < 2 && round <= this.set.f) this.relay(state, m, signers);
    return undefined;
  }

  private checkSignature(
    state: SlotState,
    m: Value,
    valueKey: string,
    i: number,
    signer: number,
  ): Refusal | undefined {
    const signature = m.signatures[i]!;
    if (state.knownSignature(valueKey, signer, signature)) return undefined;
    const message = voteSigningBytes("relay", this.set.chainId, m.slot, m.blockHash);
    if (!this.verifyFn(signature, message, this.set.keys[signer]!)) {
      return refuse("BAD_SIGNATURE", `not validator ${signer}'s relay of this block in slot ${m.slot}`);
    }
    state.rememberSignature(valueKey, signer, signature);
    return undefined;
  }

  private relay(state: SlotState, m: Value, signers: number[]): void {
    state.relayed++;
    const bySigner = new Map(signers.map((s, i) => [s, m.signatures[i]!]));
    if (!bySigner.has(this.self)) bySigner.set(this.self, this.signVote("relay", m.slot, m.blockHash));
    const all = [...bySigner.keys()].sort((a, b) => a - b);
    const relay: DsRelay = {
      slot: m.slot,
      leader: m.leader,
      blockHash: m.blockHash,
      mask: maskOf(all, this.set.keys.length),
      signatures: all.map((s) => bySigner.get(s)!),
      block: m.block,
    };
    this.modules.network.broadcast(encodeDsMessage({ kind: "relay", ...relay }));
  }

  private beginSlot(slot: number, now: number): void {
    const state = this.stateFor(slot);
    if (!(state instanceof SlotState)) return;
    if (state.leader !== this.self || !state.participating || now >= state.decideAt) return;
    const block = this.modules.blocks.build(slot);
    if (block === undefined) return;
    const blockHash = this.modules.blocks.hash(block);
    const signature = this.signVote("relay", slot, blockHash);
    state.noteLeaderSignature({ blockHash, signature });
    state.accept({ blockHash, block, round: 0 });
    state.relayed = 1;
    this.modules.network.broadcast(
      encodeDsMessage({ kind: "proposal", slot, leader: this.self, signature, block }),
    );
    this.modules.events?.proposed?.({ slot, blockHash });
  }

  private decide(state: SlotState, now: number): void {
    const decision = state.decide(now);
    this.stats.decided++;
    if (decision.blockHash === null) this.stats.bottom++;
    this.modules.events?.decided?.(decision);
    if (decision.blockHash === null) return;
    const canCommit = this.modules.blocks.canCommit?.(state.slot, decision.block!) ?? true;
    if (!canCommit) return;
    const vote: DsCommitVote = {
      slot: state.slot,
      blockHash: decision.blockHash,
      signer: this.self,
      signature: this.signVote("commit", state.slot, decision.blockHash),
    };
    this.modules.network.broadcast(encodeDsMessage({ kind: "commit", ...vote }));
    this.onCommit(state, vote);
  }

  private onCommit(state: SlotState, vote: DsCommitVote): Refusal | undefined {
    // Once final, more votes change nothing: not worth a signature check each.
    if (state.finalized) return undefined;
    const counted = state.tally.add(vote);
    if (!counted || "reason" in counted) return counted;
    state.finalized = true;
    this.stats.finalized++;
    const at = this.modules.clock.now();
    this.modules.events?.finalized?.({
      slot: state.slot,
      blockHash: vote.blockHash,
      certificate: counted.certificate,
      at,
    });
    return undefined;
  }

  /** Evidence from a peer: checked, then reported once per (slot, leader). */
  private onEvidence(e: DsEvidence): Refusal | undefined {
    try {
      verifyEvidence(this.set, e, this.verifyFn);
    } catch (err) {
      if (!(err instanceof ConsensusRejection)) throw err;
      return refuse(err.code, err.message);
    }
    const key = `${e.slot}/${e.leader}`;
    if (this.evidenceSeen.has(key) || this.slots.get(e.slot)?.evidence) return undefined;
    if (this.evidenceSeen.size >= EVIDENCE_REMEMBERED) this.evidenceSeen.clear();
    this.evidenceSeen.add(key);
    this.modules.events?.evidence?.(e);
    return undefined;
  }

  /** The state of a slot inside the window (current − retained … current + 1). */
  private stateFor(slot: number): SlotState | Refusal {
    const existing = this.slots.get(slot);
    if (existing) return existing;
    const current = slotAt(this.set, this.modules.clock.now());
    if (slot > current + 1 || slot < current - this.opts.retainSlots || slot < 1) {
      return refuse("SLOT_OUT_OF_WINDOW", `slot ${slot} while slot ${current} runs`);
    }
    const state = new SlotState(this.set, slot, slot >= this.firstSlot, this.verifyFn);
    this.slots.set(slot, state);
    return state;
  }

  private blockHash(block: Uint8Array): Uint8Array | Refusal {
    try {
      return this.modules.blocks.hash(block);
    } catch (err) {
      return refuse("BAD_BLOCK", `not a block: ${(err as Error).message.split("\n")[0]}`);
    }
  }

  private signVote(kind: "relay" | "commit", slot: number, blockHash: Uint8Array): Uint8Array {
    return this.modules.signer.sign(voteSigningBytes(kind, this.set.chainId, slot, blockHash));
  }
}
