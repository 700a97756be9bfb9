/**
 * How long an accepted tx's event waits for others to go out with it. Every NATS publish made in
 * one turn leaves in one socket write, and each write wakes nats-server and costs the event loop
 * a loopback send: one per mempool commit when each tx was published as it was answered (~4 txs).
 * Held for this window, a busy node's events leave in writes of ~15 (bench:rest, four alternating
 * pairs: the event loop's CPU per request 164–173 → 148–155 µs, POST /txs 0.44–0.47× → 0.50–0.51×
 * of the trivial route, /txs/raw 0.46–0.50× → 0.53–0.55×). Bitcoin Core delays its tx
 * announcements on purpose (it trickles them); a few milliseconds is far less. The events stay
 * fire-and-forget: one lost in a crash inside the window is pulled by the gateway's
 * reconciliation, as one lost on the way always was.
 */
export const TX_ANNOUNCE_WINDOW_MS = 5;

/**
 * Events held for a short window and then published together, in the order they came. `flush()`
 * publishes what waits at once: before an event that must not overtake them, and on stop.
 */
export class AnnounceWindow<E> {
  private pending: E[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly publish: (e: E) => void) {}

  add(e: E): void {
    this.pending.push(e);
    this.timer ??= setTimeout(() => this.flush(), TX_ANNOUNCE_WINDOW_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.pending;
    this.pending = [];
    for (const e of due) this.publish(e);
  }
}
