import {
  type DsCertificate,
  type DsEvidence,
  decodeBlock,
  decodeCertificate,
  decodeDsMessage,
  encodeBlock,
  encodeBlockFromFrames,
  encodeCertificate,
  encodeDsMessage,
  headerFromJson,
  maskOf,
  maskSigners,
  peekDsMessageKind,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { addressHexOf, headerHash, type NodeKey, signRaw, voteSigningBytes } from "@p2pnode/crypto";
import type { Bus, Logger } from "@p2pnode/kit";
import {
  type BlockVerdict,
  CONSENSUS_FAULTS,
  type ConsensusRejectReason,
  type ConsensusSlots,
  type ConsensusStatus,
  ConsensusSubjects,
  type ConsensusVerdict,
  type FinalBlock,
  type FinalGetReply,
  type Role,
} from "@p2pnode/types";
import type { Chain } from "../chain.js";
import {
  checkVote,
  DolevStrong,
  type DolevStrongStats,
  decisionTime,
  defaultVerify,
  slotAt,
  slotStart,
  type ValidatorSet,
} from "../consensus/index.js";
import { ChainError, ChainFault, reject } from "../errors.js";
import { acceptedBlock, type ChainEvents } from "../intake.js";
import { hex } from "../store.js";
import { buildTemplate, defaultTemplateOptions } from "../template.js";
import type { ConsensusMetrics } from "./consensus-metrics.js";
import { finalAnswer } from "./final-answer.js";
import { FollowerChecks } from "./follower-checks.js";
import { type FinalInSlot, SlotLog } from "./slot-log.js";

export interface ConsensusNodeModules {
  chain: Chain;
  bus: Bus;
  log: Logger;
  identity: NodeKey;
  role: Role;
  events: ChainEvents;
  metrics: ConsensusMetrics;
  now?: () => number;
}

/** Final blocks fetched from one peer per request while catching up. */
const CATCH_UP_BATCH = 32;
const CATCH_UP_TIMEOUT_MS = 20_000;
/** Decided blocks kept for their certificate to complete. */
const DECIDED_KEPT = 8;

/**
 * A node of a dolev-strong network. A validator (P2PNODE_ROLE=validator, its identity key in the
 * genesis list) runs the Dolev-Strong machine on the real clock, signs with its identity key,
 * proposes blocks from its mempool and stores each block it sees finalized with the certificate.
 * Every other node follows: it checks consensus messages for its gateway, stores blocks that come
 * with a valid certificate, records equivocation evidence, and catches up from peers.
 */
export class ConsensusNode {
  readonly set: ValidatorSet;
  /** This node's validator index, or -1 when its key is not in the genesis list. */
  readonly index: number;
  readonly ds: DolevStrong | undefined;
  /** Devnet-only fault injection (`POST /admin/debug/consensus-fault`). */
  readonly fault = { equivocate: false };
  private readonly follower: FollowerChecks;
  /** What this node saw of the recent slots (GET /consensus/slots). */
  private readonly slotLog: SlotLog;
  private readonly decided = new Map<number, Uint8Array>();
  /** Verified commit votes: slot → block hash → signer → signature (for the canonical certificate). */
  private readonly commitVotes = new Map<number, Map<string, Map<number, Uint8Array>>>();
  private readonly finalizeTimers = new Set<NodeJS.Timeout>();
  private readonly lastSeen: (number | null)[];
  private readonly rejected: Record<string, number> = {};
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private catchingUp = false;
  private stopped = false;

  constructor(private readonly m: ConsensusNodeModules) {
    const finality = m.chain.finality;
    if (!finality) throw new ChainFault("INTERNAL", "ConsensusNode needs a dolev-strong chain");
    this.set = finality.set;
    this.now = m.now ?? Date.now;
    const key = hex(m.identity.publicKey);
    this.index = this.set.keys.findIndex((k) => hex(k) === key);
    this.lastSeen = this.set.keys.map(() => null);
    if (m.role === "validator" && this.index < 0) {
      throw new ChainFault(
        "CONFIG_INVALID",
        `P2PNODE_ROLE=validator, but this node's identity key ${key} is not among the genesis validators`,
      );
    }
    this.slotLog = new SlotLog(this.set, this.now());
    this.follower = new FollowerChecks(this.set, this.now, (e) => this.recordEvidence(e));
    this.ds = m.role === "validator" ? this.startMachine() : undefined;
  }

  private startMachine(): DolevStrong {
    const { chain, identity } = this.m;
    const miner = addressHexOf(identity.publicKey);
    return new DolevStrong(
      { set: this.set, retainSlots: 2 },
      {
        clock: { now: this.now },
        signer: { index: this.index, sign: (msg) => signRaw(identity, msg) },
        network: { broadcast: (bytes) => this.broadcast(bytes) },
        blocks: {
          build: () => {
            const t = buildTemplate(chain, miner, defaultTemplateOptions);
            return encodeBlockFromFrames(headerFromJson(t.header), t.txs);
          },
          hash: (block) => headerHash(splitBlock(block).header),
          // Commit-sign only a block that extends our final tip: a certificate then vouches for a
          // block f + 1 validators could apply.
          canCommit: (_slot, block) => {
            const h = decodeBlock(block).header;
            return h.height === chain.tipBlock.height + 1 && hex(h.prevHash) === hex(chain.tipBlock.hash);
          },
        },
        events: {
          decided: (d) => {
            this.m.metrics.slots.inc({ outcome: d.blockHash ? "decided" : "bottom" });
            if (d.acceptedInRound !== null) this.m.metrics.roundsUsed.observe(d.acceptedInRound);
            this.m.log.info(
              { slot: d.slot, block: d.blockHash && toHex(d.blockHash).slice(0, 16), values: d.valuesSeen },
              d.blockHash ? "slot decided" : "slot decided ⊥ (no block)",
            );
            this.slotLog.decided(d.slot, d.blockHash);
            if (d.block) this.keepDecided(d.slot, d.block);
          },
          finalized: (f) => this.onFinalized(f.slot, f.blockHash, f.certificate, f.at),
          evidence: (e) => this.recordEvidence(e),
          rejected: (r) => this.countRejected(r.reason),
        },
      },
    );
  }

  start(): void {
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const t of this.finalizeTimers) clearTimeout(t);
  }

  get stats(): DolevStrongStats | undefined {
    return this.ds?.stats;
  }

  /** Schedules the machine's next tick (a slot start or a decision). */
  private arm(): void {
    if (!this.ds || this.stopped) return;
    clearTimeout(this.timer);
    const wait = Math.max(0, this.ds.nextWakeAt() - this.now());
    this.timer = setTimeout(() => {
      try {
        this.ds!.tick();
      } catch (err) {
        this.m.log.error({ err: (err as Error).message }, "consensus tick failed");
      }
      this.arm();
    }, wait);
  }

  /** A consensus message from a peer (through the gateway): the verdict decides flooding and scoring. */
  receive(bytes: Uint8Array, peer: string): ConsensusVerdict {
    // Commit votes are checked here first: the machine skips the check once a slot is final,
    // and a vote it did not check must not be flooded on as accepted.
    const forged = this.ds && peekDsMessageKind(bytes) === "commit" ? this.checkCommit(bytes) : undefined;
    const refusal = forged ?? (this.ds ? this.ds.receive(bytes, peer) : this.follower.check(bytes));
    if (forged) this.countRejected(forged.reason);
    if (this.ds) this.arm();
    if (refusal) {
      if (!this.ds) this.countRejected(refusal.reason);
      return {
        accepted: false,
        reason: refusal.reason,
        message: refusal.message,
        fault: CONSENSUS_FAULTS.has(refusal.reason),
      };
    }
    this.noteSigners(bytes);
    return { accepted: true, fault: false };
  }

  private countRejected(reason: ConsensusRejectReason): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.m.metrics.rejected.inc({ reason });
  }

  private noteSigners(bytes: Uint8Array): void {
    try {
      const msg = decodeDsMessage(bytes, this.set.keys.length);
      const at = this.now();
      this.logSlot(msg, at);
      const signers =
        msg.kind === "proposal"
          ? [msg.leader]
          : msg.kind === "relay"
            ? maskSigners(msg.mask)
            : msg.kind === "commit"
              ? [msg.signer]
              : [];
      for (const s of signers) this.lastSeen[s] = at;
    } catch {
      // checked already; nothing to note
    }
  }

  /** Records a message in the slot log (a proposal by its block's hash). */
  private logSlot(msg: ReturnType<typeof decodeDsMessage>, at: number): void {
    const hash = msg.kind === "proposal" ? headerHash(splitBlock(msg.block).header) : undefined;
    this.slotLog.note(msg, at, hash);
  }

  private broadcast(bytes: Uint8Array): void {
    if (this.index >= 0) this.lastSeen[this.index] = this.now();
    try {
      this.logSlot(decodeDsMessage(bytes, this.set.keys.length), this.now());
    } catch {
      // our own message; nothing to log if it does not decode
    }
    if (peekDsMessageKind(bytes) === "commit") this.noteCommit(bytes);
    this.m.bus.publish(ConsensusSubjects.messageBroadcast, { message: bytes });
    if (this.fault.equivocate && peekDsMessageKind(bytes) === "proposal") this.equivocate(bytes);
  }

  /**
   * Devnet fault: after our own proposal, propose a second block for the same slot (the same
   * block one millisecond later), signed with our key: a leader equivocating.
   */
  private equivocate(proposalBytes: Uint8Array): void {
    const p = decodeDsMessage(proposalBytes, this.set.keys.length);
    if (p.kind !== "proposal") return;
    const block = decodeBlock(p.block);
    const other = encodeBlock({
      ...block,
      header: { ...block.header, timestamp: block.header.timestamp + 1 },
    });
    const hash = headerHash(splitBlock(other).header);
    const signature = signRaw(this.m.identity, voteSigningBytes("relay", this.set.chainId, p.slot, hash));
    this.m.log.warn({ slot: p.slot }, "devnet fault: proposing a second block for this slot");
    this.m.bus.publish(ConsensusSubjects.messageBroadcast, {
      message: encodeDsMessage({ kind: "proposal", slot: p.slot, leader: p.leader, signature, block: other }),
    });
  }

  private keepDecided(slot: number, block: Uint8Array): void {
    this.decided.set(slot, block);
    for (const s of this.decided.keys()) if (s < slot - DECIDED_KEPT) this.decided.delete(s);
  }

  /** A peer's commit vote: refused when its signature does not verify, kept for the certificate otherwise. */
  private checkCommit(bytes: Uint8Array): { reason: ConsensusRejectReason; message: string } | undefined {
    let v: ReturnType<typeof decodeDsMessage>;
    try {
      v = decodeDsMessage(bytes, this.set.keys.length);
    } catch {
      return undefined; // the machine refuses it with the decoder's reason
    }
    if (v.kind !== "commit") return undefined;
    if (!checkVote(this.set, defaultVerify, "commit", v.slot, v.blockHash, v.signer, v.signature)) {
      return { reason: "BAD_SIGNATURE", message: `not validator ${v.signer}'s commit in slot ${v.slot}` };
    }
    this.noteCommit(bytes);
    return undefined;
  }

  /** Keeps a checked commit vote (ours or a peer's) for the canonical certificate. */
  private noteCommit(bytes: Uint8Array): void {
    const v = decodeDsMessage(bytes, this.set.keys.length);
    if (v.kind !== "commit") return;
    let bySlot = this.commitVotes.get(v.slot);
    if (!bySlot) {
      bySlot = new Map();
      this.commitVotes.set(v.slot, bySlot);
      for (const s of this.commitVotes.keys()) if (s < v.slot - DECIDED_KEPT) this.commitVotes.delete(s);
    }
    const key = toHex(v.blockHash);
    const votes = bySlot.get(key) ?? new Map<number, Uint8Array>();
    bySlot.set(key, votes);
    if (!votes.has(v.signer)) votes.set(v.signer, v.signature);
  }

  /**
   * f + 1 commit votes made the block final here. The certificate stored with it is canonical —
   * the f + 1 lowest validator indexes among the votes seen ¾ of a round after the decision, when
   * every honest validator's vote has arrived under the timing assumption (and before the next
   * slot's leader builds on it) — so every node that takes it from any validator stores the same
   * bytes.
   */
  private onFinalized(slot: number, blockHash: Uint8Array, certificate: DsCertificate, at: number): void {
    this.m.metrics.finalitySeconds.observe(Math.max(0, at - slotStart(this.set, slot)) / 1000);
    const due = decisionTime(this.set, slot) + (this.set.roundMs * 3) / 4;
    const t = setTimeout(
      () => {
        this.finalizeTimers.delete(t);
        this.storeFinal(slot, blockHash, this.canonical(slot, blockHash) ?? certificate);
      },
      Math.max(0, due - this.now()),
    );
    this.finalizeTimers.add(t);
  }

  private canonical(slot: number, blockHash: Uint8Array): DsCertificate | undefined {
    const votes = this.commitVotes.get(slot)?.get(toHex(blockHash));
    if (!votes || votes.size < this.set.f + 1) return undefined;
    const signers = [...votes.keys()].sort((a, b) => a - b).slice(0, this.set.f + 1);
    return {
      slot,
      mask: maskOf(signers, this.set.keys.length),
      signatures: signers.map((s) => votes.get(s)!),
    };
  }

  private storeFinal(slot: number, blockHash: Uint8Array, certificate: DsCertificate): void {
    const block = this.decided.get(slot);
    // Without the block (we decided ⊥ or joined late), a peer's finalBlock brings it.
    if (!block || hex(headerHash(splitBlock(block).header)) !== hex(blockHash)) return;
    try {
      this.commitFinal(block, encodeCertificate(certificate), "consensus");
    } catch (err) {
      this.m.log.warn({ slot, err: (err as Error).message }, "finalized block not stored");
    }
  }

  /** Stores a block with its certificate (refused unless the certificate checks out) and announces it. */
  commitFinal(blockBytes: Uint8Array, certificate: Uint8Array, source: string): BlockVerdict {
    let block: ReturnType<typeof decodeBlock>;
    try {
      block = decodeBlock(blockBytes);
    } catch (err) {
      throw reject("DECODE_FAILED", `block: ${(err as Error).message}`);
    }
    const out = this.m.chain.submitBlock(block, undefined, certificate);
    const v = out.verdict;
    const event = acceptedBlock(out);
    if (event) {
      this.m.metrics.finalBlocks.inc({ source });
      this.m.events.blockAccepted(event);
      const c = out.certificate!;
      const signers = maskSigners(decodeCertificate(c.bytes, this.set.keys.length).mask).length;
      this.m.bus.publish(ConsensusSubjects.blockFinalized, {
        hash: v.hash,
        height: v.height,
        slot: c.slot,
        signers,
        certificate: c.bytes,
      });
      this.m.log.info(
        { height: v.height, hash: v.hash.slice(0, 16), slot: c.slot, signers, source },
        "block final",
      );
    }
    return v;
  }

  /** A final block from a peer (its codec bytes over NATS). */
  submitFinal(req: FinalBlock, source: string): BlockVerdict {
    return this.commitFinal(req.block, req.certificate, source);
  }

  /** Main-chain blocks from `fromHeight` on with their certificates, cut to one bus answer (`next`). */
  finalFrom(fromHeight: number, max: number): FinalGetReply {
    return finalAnswer(this.m.chain, fromHeight, max);
  }

  /** A peer is ahead: fetch its final blocks in batches until we reach it or it stops helping. */
  async catchUp(peer: string, height: number): Promise<void> {
    if (this.catchingUp || height <= this.m.chain.tipBlock.height) return;
    this.catchingUp = true;
    try {
      while (!this.stopped && this.m.chain.tipBlock.height < height) {
        const from = this.m.chain.tipBlock.height + 1;
        const r = await this.m.bus.request(
          ConsensusSubjects.finalFetch,
          { peer, fromHeight: from, max: CATCH_UP_BATCH },
          CATCH_UP_TIMEOUT_MS,
        );
        if (r.items.length === 0) return;
        for (const item of r.items) this.submitFinal(item, "sync");
        this.m.log.info({ peer: peer.slice(0, 16), from, got: r.items.length }, "caught up final blocks");
      }
    } catch (err) {
      const code = err instanceof ChainError ? err.code : undefined;
      this.m.log.warn({ peer: peer.slice(0, 16), code, err: (err as Error).message }, "catch-up stopped");
    } finally {
      this.catchingUp = false;
    }
  }

  /** Stores verified evidence once per (slot, leader), then announces and gossips it. */
  recordEvidence(e: DsEvidence): void {
    const bytes = encodeDsMessage({ kind: "evidence", ...e });
    const fresh = this.m.chain.finality!.store.putEvidence({
      slot: e.slot,
      leader: e.leader,
      bytes: bytes.subarray(1),
      recordedAt: this.now(),
    });
    if (!fresh) return;
    this.m.metrics.evidence.inc();
    this.m.log.warn({ slot: e.slot, leader: e.leader }, "equivocation evidence recorded");
    this.m.bus.publish(ConsensusSubjects.evidenceRecorded, {
      slot: e.slot,
      leader: e.leader,
      evidence: bytes.subarray(1),
    });
    this.m.bus.publish(ConsensusSubjects.messageBroadcast, { message: bytes });
  }

  /**
   * The newest `limit` slots as this node saw them, with each slot's final block from the chain
   * (walked back from the tip while blocks are in the shown slots).
   */
  slots(limit: number): ConsensusSlots {
    const now = this.now();
    const oldest = slotAt(this.set, now) - limit;
    const finals = new Map<number, FinalInSlot>();
    const { chain } = this.m;
    for (let h = chain.tipBlock.height; h >= 1; h--) {
      const hash = chain.store.mainHashAt(h);
      const cert = hash && chain.finality!.store.certificate(hash);
      if (!hash || !cert || cert.slot <= oldest) break;
      const signers = maskSigners(decodeCertificate(cert.bytes, this.set.keys.length).mask);
      finals.set(cert.slot, { height: h, hash: hex(hash), signers });
    }
    return this.slotLog.view(limit, now, finals);
  }

  evidence(limit: number) {
    return this.m.chain.finality!.evidenceJson(limit);
  }

  status(): ConsensusStatus {
    const now = this.now();
    const set = this.set;
    const slot = slotAt(set, now);
    const into = now - slotStart(set, slot);
    const round = Math.floor(into / set.roundMs) + 1;
    const tip = this.m.chain.tipBlock;
    const s = this.ds?.stats;
    return {
      kind: "dolev-strong",
      self: this.ds ? this.index : null,
      validators: set.keys.map((k, i) => ({
        index: i,
        publicKey: hex(k),
        lastSeen: this.lastSeen[i] ?? null,
      })),
      f: set.f,
      roundMs: set.roundMs,
      slotMs: set.slotMs,
      slot,
      phase: slot === 0 ? "genesis" : round <= set.f + 1 ? `round ${round}` : "commit",
      lastFinal: {
        height: tip.height,
        hash: hex(tip.hash),
        slot: this.m.chain.finality!.slotOf(tip.hash) ?? 0,
      },
      stats: {
        decided: s?.decided ?? 0,
        bottom: s?.bottom ?? 0,
        finalized: s?.finalized ?? 0,
        signaturesVerified: s?.signaturesVerified ?? 0,
        rejected: { ...this.rejected },
      },
    };
  }
}
