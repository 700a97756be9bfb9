/**
 * Transactions that arrived before their sender's previous nonce (the chain refuses nonce gaps).
 * Gossip from several peers reorders a sender's txs; holding them here until the missing one is
 * accepted (then retrying in nonce order) keeps them from being lost, as Bitcoin Core's orphan
 * pool does for txs whose inputs are unknown. Bounded by count and age.
 *
 * It also keeps, per sender, the next nonce the chain is known to expect (from what it accepted
 * and from the `expected` of its gap answers): a tx held just after its predecessor was accepted
 * (the two answers crossed) is then seen to be ready at once instead of waiting for a
 * re-announcement.
 */
export class OrphanTxs {
  private readonly bySender = new Map<string, Map<number, { bytes: Uint8Array; at: number }>>();
  private readonly next = new Map<string, number>();
  private count = 0;

  constructor(
    private readonly maxTxs = 5_000,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    /** Senders whose next nonce is remembered; past it the least recently updated is forgotten. */
    private readonly maxSenders = 10_000,
  ) {}

  add(sender: string, nonce: number, bytes: Uint8Array): void {
    this.prune();
    if (this.count >= this.maxTxs) return;
    let m = this.bySender.get(sender);
    if (!m) {
      m = new Map();
      this.bySender.set(sender, m);
    }
    if (!m.has(nonce)) this.count++;
    m.set(nonce, { bytes, at: this.now() });
  }

  /** Removes and returns the held tx of `sender` with `nonce`, if any. */
  take(sender: string, nonce: number): Uint8Array | undefined {
    const m = this.bySender.get(sender);
    const e = m?.get(nonce);
    if (!m || !e) return undefined;
    m.delete(nonce);
    this.count--;
    if (m.size === 0) this.bySender.delete(sender);
    return e.bytes;
  }

  /** The chain expects `nonce` (or a later one) next from `sender`: it accepted `nonce - 1`. */
  advance(sender: string, nonce: number): void {
    const known = this.next.get(sender);
    if (known !== undefined && known >= nonce) return;
    this.next.delete(sender); // re-inserted last: the map's order is least recently advanced first
    this.next.set(sender, nonce);
    if (this.next.size > this.maxSenders) this.next.delete(this.next.keys().next().value!);
  }

  /** Removes and returns the held tx the chain expects next from `sender`, if it is here. */
  takeReady(sender: string): { nonce: number; bytes: Uint8Array } | undefined {
    const nonce = this.next.get(sender);
    if (nonce === undefined) return undefined;
    const bytes = this.take(sender, nonce);
    return bytes && { nonce, bytes };
  }

  get size(): number {
    return this.count;
  }

  private prune(): void {
    const t = this.now();
    for (const [s, m] of this.bySender) {
      for (const [n, e] of m) {
        if (t - e.at >= this.ttlMs) {
          m.delete(n);
          this.count--;
        }
      }
      if (m.size === 0) this.bySender.delete(s);
    }
  }
}
