/**
 * What this node has seen recently (tx ids, block hashes), with the time it first saw each:
 * stops re-requesting and re-broadcasting the same item (gossipsub keeps ~2 min). Bounded by
 * both age and count; a Map iterates in insertion order, so the oldest entries go first.
 */
export class SeenCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `key`; true if it was new (not seen within the TTL). */
  add(key: string): boolean {
    const t = this.now();
    const at = this.entries.get(key);
    if (at !== undefined && t - at < this.ttlMs) return false;
    this.entries.delete(key);
    this.entries.set(key, t);
    this.prune(t);
    return true;
  }

  has(key: string): boolean {
    const at = this.entries.get(key);
    return at !== undefined && this.now() - at < this.ttlMs;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  firstSeen(key: string): number | undefined {
    return this.has(key) ? this.entries.get(key) : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(t: number): void {
    for (const [k, at] of this.entries) {
      if (this.entries.size <= this.maxEntries && t - at < this.ttlMs) break;
      this.entries.delete(k);
    }
  }
}

/** A set that forgets its oldest members past `max`: what one peer is known to have. */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(private readonly max: number) {}

  add(key: string): void {
    if (this.items.has(key)) return;
    this.items.add(key);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }

  has(key: string): boolean {
    return this.items.has(key);
  }
}
