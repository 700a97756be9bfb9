import {
  decodeDsMessage,
  dsMaxBodyBytes,
  itemsWithinBudget,
  MAX_FINAL_BLOCKS,
  type P2pMessage,
  peekDsMessageKind,
  SYNC_ANSWER_BYTES,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { headerHash, sha256 } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import type { ConsensusVerdict, FinalBlock, FinalGetReply } from "@p2pnode/types";
import type { SubmitOutcome } from "./chain-port.js";
import type { GatewayErrorCode } from "./errors.js";
import type { Peer } from "./peer.js";
import { BLOCK_NEEDS_SYNC, blockPenalty } from "./penalties.js";
import type { ScoreKind } from "./scoring.js";
import type { SeenCache } from "./seen-cache.js";

/** What the consensus relay needs of the chain service (NATS in the service, stubs in tests). */
export interface ConsensusPort {
  submitMessage(message: Uint8Array, peer: string): Promise<ConsensusVerdict>;
  submitFinal(block: Uint8Array, certificate: Uint8Array, peer: string): Promise<SubmitOutcome>;
  /** One final.get answer: cut by bytes to the bus, `next` the height to ask again from. */
  finalFrom(fromHeight: number, max: number): Promise<FinalGetReply>;
  getBlock(hashHex: string): Promise<Uint8Array | undefined>;
}

export interface ConsensusRelayModules {
  /** The genesis validator count, or null in a proof-of-work network (consensus messages refused). */
  validators: number | null;
  /** The NodeId (hex) of each genesis validator by index: its identity key is its validator key. */
  validatorNodeIds: readonly string[];
  port: ConsensusPort;
  seen: SeenCache;
  log: Logger;
  peers: () => Iterable<Peer>;
  penalise: (peer: Peer, kind: ScoreKind, detail: string, fatal?: GatewayErrorCode) => void;
  /** The peer is ahead of us: the chain catches up from it. */
  needSync: (peer: Peer) => void;
}

/** A get-final unanswered this long fails (the chain then tries another peer). */
const FETCH_TIMEOUT_MS = 20_000;

/**
 * The P2P side of dolev-strong networks (type bytes 0x50–0x53, PROTOCOL.md): consensus messages
 * are checked by the chain before they are flooded on, final blocks travel with their
 * certificates, and nodes catching up fetch final blocks from a peer. Sizes are checked against
 * the validator count before anything is parsed; a refusal only a faulty sender can earn costs
 * it score (INVALID_CONSENSUS, INVALID_BLOCK).
 */
export class ConsensusRelay {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    {
      peer: Peer;
      resolve: (items: FinalBlock[]) => void;
      reject: (err: Error) => void;
      timer: NodeJS.Timeout;
    }
  >();

  /** `slot:leader` of the equivocations already charged, so each costs its validator once. */
  private readonly charged = new Set<string>();

  constructor(private readonly m: ConsensusRelayModules) {}

  /** Takes the four consensus message types; false for every other type. */
  handle(peer: Peer, msg: P2pMessage): boolean {
    const fail = (err: unknown) =>
      this.m.log.warn(
        { peer: peer.id.slice(0, 16), type: msg.type, err: (err as Error).message },
        "handler failed",
      );
    switch (msg.type) {
      case "consensus":
        void this.onConsensus(peer, msg.message).catch(fail);
        return true;
      case "finalBlock":
        void this.onFinalBlock(peer, msg.block, msg.certificate).catch(fail);
        return true;
      case "getFinal":
        void this.onGetFinal(peer, msg.id, msg.fromHeight, msg.max).catch(fail);
        return true;
      case "finalBlocks":
        this.onFinalBlocks(peer, msg.id, msg.blocks, msg.certificates);
        return true;
      default:
        return false;
    }
  }

  private notDolevStrong(peer: Peer, type: string): boolean {
    if (this.m.validators !== null) return false;
    this.m.penalise(peer, "PROTOCOL_VIOLATION", `${type} in a proof-of-work network`);
    return true;
  }

  private async onConsensus(peer: Peer, bytes: Uint8Array): Promise<void> {
    if (this.notDolevStrong(peer, "consensus")) return;
    const kind = peekDsMessageKind(bytes);
    if (kind === undefined) {
      return this.m.penalise(peer, "INVALID_CONSENSUS", "MALFORMED: unknown consensus message kind");
    }
    // The tight limit for this network's validator count, before the chain parses anything.
    const max = 1 + dsMaxBodyBytes(kind, this.m.validators!);
    if (bytes.length > max) {
      return this.m.penalise(
        peer,
        "INVALID_CONSENSUS",
        `MALFORMED: consensus ${kind} of ${bytes.length} bytes exceeds ${max}`,
        "MALFORMED_MESSAGE",
      );
    }
    const key = `c:${toHex(sha256(bytes))}`;
    peer.known.add(key);
    if (!this.m.seen.add(key)) return;
    const v = await this.m.port.submitMessage(bytes, peer.id);
    if (v.accepted) {
      if (kind === "evidence") this.chargeEquivocator(bytes);
      return this.flood(key, { type: "consensus", message: bytes }, peer);
    }
    // Not valid now is not always a fault (late, out of the window): those are dropped quietly.
    if (v.fault) this.m.penalise(peer, "INVALID_CONSENSUS", `${v.reason}: ${v.message ?? ""}`);
  }

  /** This node's own consensus message (a validator's proposal, relay, commit; evidence). */
  broadcastOwn(bytes: Uint8Array): void {
    const key = `c:${toHex(sha256(bytes))}`;
    this.m.seen.add(key);
    if (peekDsMessageKind(bytes) === "evidence") this.chargeEquivocator(bytes);
    this.flood(key, { type: "consensus", message: bytes });
  }

  /**
   * Evidence the chain verified (a peer's, or its own) proves that a leader signed two blocks in
   * one slot: if that validator is a connected peer, it loses score (EQUIVOCATION), once per slot.
   */
  private chargeEquivocator(bytes: Uint8Array): void {
    let e: ReturnType<typeof decodeDsMessage>;
    try {
      e = decodeDsMessage(bytes, this.m.validators!);
    } catch {
      return; // the chain accepted it, so it decodes; nothing to charge otherwise
    }
    if (e.kind !== "evidence") return;
    const id = this.m.validatorNodeIds[e.leader];
    const charge = `${e.slot}:${e.leader}`;
    if (id === undefined || this.charged.has(charge)) return;
    const peer = [...this.m.peers()].find((p) => p.id === id);
    if (!peer) return;
    this.charged.add(charge);
    if (this.charged.size > 1_024) this.charged.delete(this.charged.values().next().value!);
    this.m.penalise(peer, "EQUIVOCATION", `validator ${e.leader} signed two blocks in slot ${e.slot}`);
  }

  private flood(key: string, msg: P2pMessage, except?: Peer): void {
    for (const p of this.m.peers()) {
      if (p === except || p.known.has(key)) continue;
      p.known.add(key);
      p.send(msg);
    }
  }

  private async onFinalBlock(peer: Peer, block: Uint8Array, certificate: Uint8Array): Promise<void> {
    if (this.notDolevStrong(peer, "finalBlock")) return;
    let hashHex: string;
    try {
      hashHex = toHex(headerHash(splitBlock(block).header));
    } catch (err) {
      return this.m.penalise(peer, "INVALID_BLOCK", `undecodable final block: ${(err as Error).message}`);
    }
    const key = `f:${hashHex}`;
    peer.known.add(key);
    if (!this.m.seen.add(key)) return;
    const r = await this.m.port.submitFinal(block, certificate, peer.id);
    if (r.ok) {
      peer.lastUsefulAt = Date.now();
      return;
    }
    if (BLOCK_NEEDS_SYNC.has(r.code)) {
      this.m.seen.forget(key);
      return this.m.needSync(peer);
    }
    const kind = r.code === "CONFLICTS_WITH_FINAL" ? "PROTOCOL_VIOLATION" : blockPenalty(r.code);
    if (kind) this.m.penalise(peer, kind, `final block ${hashHex.slice(0, 16)}: ${r.code} ${r.message}`);
  }

  /**
   * The chain stored a final block: send it with its certificate to every peer that lacks it. Its
   * bytes come with the chain's event; only a block too large for the event is read back.
   */
  async onChainFinal(hashHex: string, certificate: Uint8Array, bytes?: Uint8Array): Promise<void> {
    const key = `f:${hashHex}`;
    this.m.seen.add(key);
    const block = bytes ?? (await this.m.port.getBlock(hashHex));
    if (!block) return;
    this.flood(key, { type: "finalBlock", block, certificate });
  }

  /**
   * A peer's get-final: the chain's final.get answers, following `next` while the chain cut them
   * by bytes, until the peer's answer is full — `max` blocks, or SYNC_ANSWER_BYTES of blocks and
   * certificates (the size table's rule: the first always goes; the peer asks again for the rest).
   */
  private async onGetFinal(peer: Peer, id: number, fromHeight: number, max: number): Promise<void> {
    if (this.notDolevStrong(peer, "getFinal")) return;
    const want = Math.min(max, MAX_FINAL_BLOCKS);
    const items: FinalBlock[] = [];
    let bytes = 0;
    let from: number | null = want === 0 ? null : fromHeight;
    while (from !== null && items.length < want && bytes <= SYNC_ANSWER_BYTES) {
      const r = await this.m.port.finalFrom(from, want - items.length);
      items.push(...r.items);
      for (const it of r.items) bytes += it.block.length + it.certificate.length;
      // A `next` that does not move forward would loop: take what came.
      from = r.items.length > 0 && r.next !== null && r.next > from ? r.next : null;
    }
    const n = itemsWithinBudget(
      items.map((it) => it.block.length + it.certificate.length),
      SYNC_ANSWER_BYTES,
    );
    const sent = items.slice(0, n);
    peer.send({
      type: "finalBlocks",
      id,
      blocks: sent.map((it) => it.block),
      certificates: sent.map((it) => it.certificate),
    });
  }

  private onFinalBlocks(peer: Peer, id: number, blocks: Uint8Array[], certificates: Uint8Array[]): void {
    const p = this.pending.get(id);
    if (!p || p.peer !== peer) {
      this.m.penalise(peer, "UNSOLICITED", "finalBlocks without a get-final");
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(blocks.map((block, i) => ({ block, certificate: certificates[i]! })));
  }

  /** Asks one peer for final blocks from a height on (the chain catching up). */
  fetchFinal(peerId: string, fromHeight: number, max: number): Promise<FinalBlock[]> {
    const peer = [...this.m.peers()].find((p) => p.id === peerId);
    if (!peer) return Promise.reject(new Error(`peer ${peerId.slice(0, 16)} is not connected`));
    const id = this.nextId++ >>> 0;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`peer ${peerId.slice(0, 16)} did not answer get-final`));
      }, FETCH_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, { peer, resolve, reject, timer });
      peer.send({ type: "getFinal", id, fromHeight, max });
    });
  }

  stop(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("gateway stopping"));
    }
    this.pending.clear();
  }
}
