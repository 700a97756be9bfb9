import { type InvKind, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";

/** The one key of an inventory item in the tracker, the seen cache and relay's in-flight map. */
export const inventoryKey = (kind: InvKind, hashHex: string) => `${kind === "tx" ? "t" : "b"}:${hashHex}`;

/** The key of a received tx's codec bytes (its id hashed from them). */
export const txKeyOf = (tx: Uint8Array) => inventoryKey("tx", toHex(txId(tx)));

/**
 * Announced items we asked a peer for and it has not delivered yet, per peer, with a cap and a
 * deadline. Without it a peer that announces 50,000 items gets 50,000 requests (100 getData
 * messages) and owes nothing for never answering. With it at most `maxPerPeer` are outstanding
 * per peer (Bitcoin Core: 5,000), further announcements are not requested until some are served,
 * and requests unanswered by the deadline cost the peer a penalty.
 */
export interface AnnouncementTrackerOptions<P> {
  maxPerPeer: number;
  /** An item not delivered (or answered not-found) this long after we asked is "never served". */
  timeoutMs: number;
  /** Called once per sweep for a peer with `count` requests that ran out. */
  onUnserved: (peer: P, count: number) => void;
  now?: () => number;
}

export class AnnouncementTracker<P> {
  private readonly byPeer = new Map<P, Map<string, number>>();
  private timer: NodeJS.Timeout | undefined;
  /** Announcements not requested because the peer was at its cap (for metrics and tests). */
  skipped = 0;
  private readonly now: () => number;

  constructor(private readonly o: AnnouncementTrackerOptions<P>) {
    this.now = o.now ?? Date.now;
  }

  /** Starts the periodic sweep for expired requests. */
  start(periodMs = Math.max(100, Math.min(1_000, this.o.timeoutMs / 2))): void {
    this.timer = setInterval(() => this.sweep(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Records that `key` is requested from `peer`; false (and not recorded) when the peer is at its cap. */
  ask(peer: P, key: string): boolean {
    let m = this.byPeer.get(peer);
    if (!m) {
      m = new Map();
      this.byPeer.set(peer, m);
    }
    if (m.has(key)) return true;
    if (m.size >= this.o.maxPerPeer) {
      this.skipped++;
      return false;
    }
    m.set(key, this.now());
    return true;
  }

  /** The peer delivered `key` or said it does not have it: the request is settled. */
  served(peer: P, key: string): void {
    const m = this.byPeer.get(peer);
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.byPeer.delete(peer);
  }

  has(peer: P, key: string): boolean {
    return this.byPeer.get(peer)?.has(key) ?? false;
  }

  outstanding(peer: P): number {
    return this.byPeer.get(peer)?.size ?? 0;
  }

  forget(peer: P): void {
    this.byPeer.delete(peer);
  }

  /** Drops requests past the deadline and reports each peer that left some unanswered. */
  sweep(): void {
    const limit = this.now() - this.o.timeoutMs;
    for (const [peer, m] of this.byPeer) {
      let expired = 0;
      // Insertion order is request order: stop at the first request still within its deadline.
      for (const [key, at] of m) {
        if (at > limit) break;
        m.delete(key);
        expired++;
      }
      if (m.size === 0) this.byPeer.delete(peer);
      if (expired > 0) this.o.onUnserved(peer, expired);
    }
  }
}
