/**
 * Hashes per second over a sliding window, kept in one-second buckets: constant memory and O(1)
 * per report however often the workers report and however rarely anyone asks for the rate (a list
 * of reports pruned only when read grew by ~100 entries a second while nobody read /status).
 */
export class HashrateWindow {
  private readonly hashes: Float64Array;
  /** The second (ms / 1000, floored) each bucket counts; a bucket left from an older lap is stale. */
  private readonly second: Float64Array;
  private since: number | undefined;

  constructor(windowMs = 10_000) {
    const n = Math.ceil(windowMs / 1000);
    this.hashes = new Float64Array(n);
    this.second = new Float64Array(n).fill(-1);
  }

  add(hashes: number, now: number): void {
    const s = Math.floor(now / 1000);
    const i = s % this.hashes.length;
    if (this.second[i] !== s) {
      this.second[i] = s;
      this.hashes[i] = 0;
    }
    this.hashes[i]! += hashes;
    this.since ??= now;
  }

  /** Hashes per second over the window (or since the first report, if that is later; ≥ 1 s). */
  rate(now: number): number {
    if (this.since === undefined) return 0;
    const s = Math.floor(now / 1000);
    const n = this.hashes.length;
    let sum = 0;
    for (let i = 0; i < n; i++) if (this.second[i]! > s - n) sum += this.hashes[i]!;
    const covered = (n - 1) * 1000 + (now % 1000); // the full past buckets and the current partial one
    const span = Math.max(1000, Math.min(covered, now - this.since));
    return (sum * 1000) / span;
  }

  reset(): void {
    this.hashes.fill(0);
    this.second.fill(-1);
    this.since = undefined;
  }
}
