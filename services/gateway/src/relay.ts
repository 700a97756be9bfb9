import {
  decodeBlock,
  decodeSignedTransaction,
  type InvItem,
  type InvKind,
  MAX_INV_ITEMS,
  toHex,
} from "@p2pnode/codec";
import { headerHash, txId } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import { type AnnouncementTracker, inventoryKey } from "./announcement-tracker.js";
import type { ChainPort, SubmitOutcome } from "./chain-port.js";
import type { GatewayMetrics } from "./metrics.js";
import { OrphanTxs } from "./orphan-txs.js";
import type { Peer } from "./peer.js";
import { BLOCK_NEEDS_SYNC, blockPenalty, CHAIN_UNAVAILABLE, txPenalty } from "./penalties.js";
import type { RecentBytes } from "./recent-bytes.js";
import type { ScoreKind } from "./scoring.js";
import type { SeenCache } from "./seen-cache.js";

export interface RelayModules {
  chain: ChainPort;
  seen: SeenCache;
  metrics: GatewayMetrics;
  log: Logger;
  peers: () => Iterable<Peer>;
  penalise: (peer: Peer, kind: ScoreKind, detail: string) => void;
  reward: (peer: Peer, kind: ScoreKind) => void;
  /** Asks the peer for headers: the block's parent is missing here. */
  needSync: (peer: Peer) => void;
  /** Caps and times what each peer was asked for (announcement-tracker.ts). */
  requested?: AnnouncementTracker<Peer>;
  /** Bytes of what the chain accepted lately: getdata is served from here before asking the chain. */
  recent: RecentBytes;
}

/** A getdata request is re-sent to another announcer after this long without an answer. */
const IN_FLIGHT_MS = 10_000;
/** Tx announcements wait this long to be batched into one inv (Bitcoin Core trickles ~2-5 s). */
const TX_TRICKLE_MS = 25;
/** Items served per getdata; beyond this the rest is answered not-found (bounds our NATS load). */
const MAX_SERVED_PER_GETDATA = 5_000;

/** The nonce the chain expects next when it refused `nonce` for a gap (an earlier one is missing). */
function gapExpected(r: SubmitOutcome, nonce: number): number | undefined {
  if (r.ok || r.code !== "BAD_NONCE") return undefined;
  const expected = (r.details as { expected?: unknown } | undefined)?.expected;
  return typeof expected === "number" && nonce > expected ? expected : undefined;
}

/**
 * Gossip of transactions and blocks: announce what the chain accepted to every peer that does
 * not have it (never back to the peer it came from), fetch announced items we have not seen,
 * serve getdata from the bytes the chain's events carried (the chain's read endpoints on a miss),
 * and hand received items to the chain in arrival order.
 */
export class Relay {
  private readonly inFlight = new Map<string, number>();
  private txQueue: string[] = [];
  private txTimer: NodeJS.Timeout | undefined;
  /** Blocks go to the chain one at a time, in the order they arrived (parents first in a sync). */
  private blockChain: Promise<void> = Promise.resolve();
  private readonly orphans = new OrphanTxs();
  /** Senders whose held txs are being submitted (resolveOrphans). */
  private readonly resolving = new Set<string>();

  constructor(private readonly m: RelayModules) {}

  /**
   * The chain accepted `hash`: announce it to every peer not known to have it, and keep its
   * `bytes` (when the event carried them) for the getdata that follows.
   */
  announce(kind: InvKind, hashHex: string, bytes?: Uint8Array): void {
    if (bytes) this.m.recent.put(kind, hashHex, bytes);
    if (kind === "tx" && bytes && this.orphans.size > 0) this.predecessorArrived(bytes);
    this.m.seen.add(inventoryKey(kind, hashHex));
    if (kind === "block") {
      this.flush([{ kind, hex: hashHex }]);
      return;
    }
    this.txQueue.push(hashHex);
    this.txTimer ??= setTimeout(() => {
      this.txTimer = undefined;
      const q = this.txQueue;
      this.txQueue = [];
      this.flush(q.map((hex) => ({ kind: "tx" as const, hex })));
    }, TX_TRICKLE_MS);
  }

  private flush(items: { kind: InvKind; hex: string }[]): void {
    for (const peer of this.m.peers())
      this.sendInv(
        peer,
        items.filter((i) => !peer.known.has(i.hex)),
      );
  }

  private sendInv(peer: Peer, items: { kind: InvKind; hex: string }[]): void {
    for (const i of items) peer.known.add(i.hex);
    for (let o = 0; o < items.length; o += MAX_INV_ITEMS) {
      const chunk = items.slice(o, o + MAX_INV_ITEMS);
      peer.send({
        type: "inv",
        items: chunk.map((i) => ({ kind: i.kind, hash: Buffer.from(i.hex, "hex") })),
      });
    }
  }

  /**
   * Announces pool txs to `to` (default: every peer) even if a peer was told before: the whole pool
   * to a new peer (as geth does), and txs that stay unmined again (the peer may have lost them).
   */
  reannounce(txIds: readonly string[], to?: Peer): void {
    if (txIds.length === 0) return;
    const items = txIds.map((hex) => ({ kind: "tx" as const, hex }));
    for (const hex of txIds) this.m.seen.add(inventoryKey("tx", hex));
    for (const peer of to ? [to] : this.m.peers()) this.sendInv(peer, items);
  }

  onInv(peer: Peer, items: InvItem[]): void {
    const now = Date.now();
    const want: InvItem[] = [];
    for (const it of items) {
      const hex = toHex(it.hash);
      peer.known.add(hex);
      const key = inventoryKey(it.kind, hex);
      if (this.m.seen.has(key) || now - (this.inFlight.get(key) ?? 0) < IN_FLIGHT_MS) continue;
      if (this.m.requested && !this.m.requested.ask(peer, key)) continue;
      this.inFlight.set(key, now);
      want.push(it);
    }
    if (want.length > 0) peer.send({ type: "getData", items: want });
    if (this.inFlight.size > 100_000) this.pruneInFlight(now);
  }

  /**
   * `hash` was asked of a peer within IN_FLIGHT_MS or has arrived: a block that does not connect
   * once here asks for a sync itself (needSync), and one asked for but never delivered leaves it
   * to the chain's periodic sync.
   */
  isComing(kind: InvKind, hashHex: string): boolean {
    const key = inventoryKey(kind, hashHex);
    return this.m.seen.has(key) || Date.now() - (this.inFlight.get(key) ?? 0) < IN_FLIGHT_MS;
  }

  private pruneInFlight(now: number): void {
    for (const [k, at] of this.inFlight) if (now - at >= IN_FLIGHT_MS) this.inFlight.delete(k);
  }

  async onGetData(peer: Peer, items: InvItem[]): Promise<void> {
    const missing: InvItem[] = items.slice(MAX_SERVED_PER_GETDATA);
    for (const it of items.slice(0, MAX_SERVED_PER_GETDATA)) {
      const hex = toHex(it.hash);
      const bytes = await this.bytesOf(it.kind, hex).catch(() => undefined);
      if (!bytes) {
        missing.push(it);
        continue;
      }
      peer.known.add(hex);
      peer.send(it.kind === "tx" ? { type: "tx", tx: bytes } : { type: "block", block: bytes });
    }
    if (missing.length > 0) peer.send({ type: "notFound", items: missing });
  }

  /** From the recent bytes, else (a restart, a reconciled item) read once from the chain and kept. */
  private async bytesOf(kind: InvKind, hex: string): Promise<Uint8Array | undefined> {
    const cached = this.m.recent.get(kind, hex);
    if (cached) return cached;
    const bytes = await (kind === "tx" ? this.m.chain.getTx(hex) : this.m.chain.getBlock(hex));
    if (bytes) this.m.recent.put(kind, hex, bytes);
    return bytes;
  }

  onNotFound(items: InvItem[], peer?: Peer): void {
    for (const it of items) {
      const key = inventoryKey(it.kind, toHex(it.hash));
      this.inFlight.delete(key);
      if (peer) this.m.requested?.served(peer, key);
    }
  }

  async onTx(peer: Peer, bytes: Uint8Array): Promise<void> {
    let id: string;
    let sender: string;
    let nonce: number;
    try {
      const stx = decodeSignedTransaction(bytes);
      // The unsigned shielded kinds have no sender or nonce: they never wait as orphans.
      sender = "from" in stx.tx ? toHex(stx.tx.from) : "";
      nonce = "nonce" in stx.tx ? stx.tx.nonce : -1;
      id = toHex(txId(bytes));
    } catch (err) {
      return this.m.penalise(peer, "INVALID_TX", `undecodable tx: ${(err as Error).message}`);
    }
    peer.known.add(id);
    const key = inventoryKey("tx", id);
    this.m.requested?.served(peer, key);
    const askedAt = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (!this.m.seen.add(key)) return;
    if (askedAt) this.m.metrics.txPropagation.observe((Date.now() - askedAt) / 1000);
    const r = await this.m.chain.submitTx(bytes);
    if (!r.ok && CHAIN_UNAVAILABLE.has(r.code)) {
      this.m.seen.forget(key);
      return;
    }
    if (r.ok) {
      this.m.reward(peer, "USEFUL_TX");
      if (sender === "") return;
      this.orphans.advance(sender, nonce + 1);
      await this.resolveOrphans(sender);
      return;
    }
    const expected = gapExpected(r, nonce);
    if (expected !== undefined) {
      // A gap: the sender's previous tx is still on its way (gossip reorders). Hold this one, and
      // do not count it as seen: the orphan pool forgets after a minute, and a re-announcement
      // must then bring it again. If the predecessor was accepted while this answer was on its
      // way (the two crossed), it goes at once.
      this.orphans.add(sender, nonce, bytes);
      this.orphans.advance(sender, expected);
      this.m.seen.forget(key);
      await this.resolveOrphans(sender);
      return;
    }
    const kind = txPenalty(r.code);
    if (kind) this.m.penalise(peer, kind, `tx ${id.slice(0, 16)}: ${r.code}`);
  }

  /**
   * The chain accepted a tx (its event, whatever path it took: REST, a peer, a held tx): held txs
   * of its sender that follow it can go now, without waiting for a re-announcement.
   */
  private predecessorArrived(bytes: Uint8Array): void {
    let tx: ReturnType<typeof decodeSignedTransaction>["tx"];
    try {
      tx = decodeSignedTransaction(bytes).tx;
    } catch {
      return; // the chain's own event: checked against its id already (gateway.ts)
    }
    if (!("from" in tx) || !("nonce" in tx)) return;
    const sender = toHex(tx.from);
    this.orphans.advance(sender, tx.nonce + 1);
    void this.resolveOrphans(sender);
  }

  /**
   * Submits the held txs of `sender` in nonce order while the chain takes them, one sender's run
   * at a time (a second caller returns: the run in progress picks up what it added).
   */
  private async resolveOrphans(sender: string): Promise<void> {
    if (this.resolving.has(sender)) return;
    this.resolving.add(sender);
    try {
      for (let held = this.orphans.takeReady(sender); held; held = this.orphans.takeReady(sender)) {
        const r = await this.m.chain.submitTx(held.bytes);
        if (r.ok || (!r.ok && r.code === "DUPLICATE")) {
          this.orphans.advance(sender, held.nonce + 1);
          continue;
        }
        const expected = gapExpected(r, held.nonce);
        if (expected === undefined) return; // refused or chain away: a re-announcement may bring it
        this.orphans.add(sender, held.nonce, held.bytes); // our view of the nonce ran ahead
        return;
      }
    } finally {
      this.resolving.delete(sender);
    }
  }

  /** A block from `peer`; resolves once the chain has ruled on it (blocks are ruled on in order). */
  onBlock(peer: Peer, bytes: Uint8Array): Promise<void> {
    let hex: string;
    let timestamp: number;
    try {
      const block = decodeBlock(bytes);
      hex = toHex(headerHash(block.header));
      timestamp = block.header.timestamp;
    } catch (err) {
      this.m.penalise(peer, "INVALID_BLOCK", `undecodable block: ${(err as Error).message}`);
      return Promise.resolve();
    }
    peer.known.add(hex);
    const key = inventoryKey("block", hex);
    this.m.requested?.served(peer, key);
    this.inFlight.delete(key);
    if (!this.m.seen.add(key)) return Promise.resolve();
    this.m.metrics.blockPropagation.observe(Math.max(0, Date.now() - timestamp) / 1000);
    const run = async () => {
      const r = await this.m.chain.submitBlock(bytes);
      this.m.log.debug(
        { trace: hex.slice(0, 16), peer: peer.id.slice(0, 16), ok: r.ok },
        "block from peer ruled on",
      );
      if (r.ok) {
        this.m.recent.put("block", hex, bytes);
        if (r.status === "orphan") this.m.needSync(peer);
        else peer.lastUsefulAt = Date.now();
        return this.m.reward(peer, "USEFUL_BLOCK");
      }
      if (CHAIN_UNAVAILABLE.has(r.code)) {
        this.m.seen.forget(key);
        return;
      }
      if (BLOCK_NEEDS_SYNC.has(r.code)) {
        // Let the block be fetched again once its parents are here.
        this.m.seen.forget(key);
        return this.m.needSync(peer);
      }
      const kind = blockPenalty(r.code);
      if (kind) this.m.penalise(peer, kind, `block ${hex.slice(0, 16)}: ${r.code} ${r.message}`);
    };
    this.blockChain = this.blockChain.then(run, run);
    return this.blockChain;
  }

  stop(): void {
    clearTimeout(this.txTimer);
  }
}
