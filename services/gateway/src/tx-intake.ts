import { type AnnouncementTracker, txKeyOf } from "./announcement-tracker.js";
import type { Peer } from "./peer.js";
import { TokenBucket } from "./token-bucket.js";

export interface TxIntakeOptions {
  /** Txs a peer may send that we did not request, per second and as a burst. */
  unsolicitedPerSecond: number;
  unsolicitedBurst: number;
  /** Txs waiting for the chain over all peers; beyond it new ones are dropped (gossip re-offers them). */
  maxQueued: number;
  /** Txs handed on per event-loop turn: between turns, pings and other peers' messages are served. */
  batch: number;
  /** Submissions awaiting the chain's answer at once. */
  concurrency: number;
}

export const defaultTxIntakeOptions: TxIntakeOptions = {
  unsolicitedPerSecond: 50,
  unsolicitedBurst: 200,
  maxQueued: 5_000,
  batch: 64,
  concurrency: 32,
};

export interface TxIntakeModules {
  requested: AnnouncementTracker<Peer>;
  /** The expensive path: decode, seen-cache, the chain's validation (signature) over NATS. */
  submit: (peer: Peer, bytes: Uint8Array) => Promise<void>;
  /** An unsolicited tx over the peer's bucket was dropped. */
  onFlood: (peer: Peer) => void;
}

/**
 * Received txs pass cheap checks before anything costly: a tx we requested (announcement
 * tracker) is queued; an unsolicited one must fit the peer's token bucket. The queue is bounded
 * and drained in batches, one per event-loop turn with a cap on submissions in flight, so a flood
 * of 10,000 txs never holds the loop: pings and honest peers' messages are handled between
 * batches, and signature checks happen in the chain service, never on the gateway's loop.
 */
export class TxIntake {
  private readonly queue: { peer: Peer; bytes: Uint8Array }[] = [];
  private readonly buckets = new WeakMap<Peer, TokenBucket>();
  private inFlight = 0;
  private scheduled = false;
  dropped = { unsolicited: 0, queueFull: 0 };

  constructor(
    private readonly m: TxIntakeModules,
    private readonly o: TxIntakeOptions = defaultTxIntakeOptions,
  ) {}

  offer(peer: Peer, bytes: Uint8Array): void {
    if (!this.m.requested.has(peer, txKeyOf(bytes))) {
      let b = this.buckets.get(peer);
      if (!b) {
        b = new TokenBucket(this.o.unsolicitedPerSecond, this.o.unsolicitedBurst);
        this.buckets.set(peer, b);
      }
      if (!b.take()) {
        this.dropped.unsolicited++;
        this.m.onFlood(peer);
        return;
      }
    }
    if (this.queue.length >= this.o.maxQueued) {
      this.dropped.queueFull++;
      return;
    }
    this.queue.push({ peer, bytes });
    this.schedule();
  }

  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.o.concurrency) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    let n = 0;
    while (n < this.o.batch && this.inFlight < this.o.concurrency) {
      const next = this.queue.shift();
      if (!next) break;
      n++;
      if (!next.peer.isOpen) continue;
      this.inFlight++;
      this.m
        .submit(next.peer, next.bytes)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
    this.schedule();
  }
}
