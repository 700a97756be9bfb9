import type { InvKind } from "@p2pnode/codec";

/**
 * Codec bytes of recently accepted txs and blocks, as the chain's events carried them, so a peer's
 * getdata (and a final block's flood) is served without asking the chain back over NATS. Bounded
 * by a byte budget: the oldest entries go first. A miss (after a restart, or an item announced by
 * reconciliation) falls back to the chain's read endpoints.
 */
export class RecentBytes {
  private readonly items = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get size(): number {
    return this.items.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(kind: InvKind, hashHex: string): Uint8Array | undefined {
    return this.items.get(keyOf(kind, hashHex));
  }

  /** Keeps `bytes` as the newest entry; an item larger than the whole budget is not kept. */
  put(kind: InvKind, hashHex: string, bytes: Uint8Array): void {
    if (bytes.length > this.budgetBytes) return;
    const key = keyOf(kind, hashHex);
    const old = this.items.get(key);
    if (old) {
      this.items.delete(key);
      this.bytes -= old.length;
    }
    this.items.set(key, bytes);
    this.bytes += bytes.length;
    for (const [k, v] of this.items) {
      if (this.bytes <= this.budgetBytes) break;
      this.items.delete(k);
      this.bytes -= v.length;
    }
  }
}

const keyOf = (kind: InvKind, hashHex: string) => `${kind === "tx" ? "t" : "b"}:${hashHex}`;
