import { toHex } from "@p2pnode/codec";
import { isShielded } from "@p2pnode/rules";
import { reject } from "./errors.js";
import { type PoolTx, paysMore } from "./mempool.js";

/**
 * Pending shielded transactions. The unsigned kinds (shielded, unshield) have no sender and
 * no nonce, so they wait here rather than in the per-sender queues; shields (signed, with a
 * nonce) wait in the Mempool. Every pending shielded tx of either pool is indexed by its
 * nullifiers: a second tx spending a note already spent by a pending one is refused
 * (NULLIFIER_SPENT, first seen wins), so a block template never holds a conflict.
 */
export class ShieldedPool {
  private readonly byId = new Map<string, PoolTx>();
  /** Nullifier (hex) → id of the pending tx that publishes it, shields included. */
  private readonly byNullifier = new Map<string, string>();
  /** What changed since the last `takeChanges()`: persisted with the mempool's rows (mempool-store.ts). */
  private changes = { put: new Map<string, PoolTx>(), del: new Set<string>() };

  constructor(private readonly o: { maxTxs: number }) {}

  get size(): number {
    return this.byId.size;
  }

  has(idHex: string): boolean {
    return this.byId.has(idHex);
  }

  get(idHex: string): PoolTx | undefined {
    return this.byId.get(idHex);
  }

  all(): PoolTx[] {
    return [...this.byId.values()];
  }

  /** Refuses `t` when a still-pending tx publishes one of its nullifiers (stale index entries are dropped). */
  checkConflicts(t: PoolTx, pending: (idHex: string) => boolean): void {
    if (!isShielded(t.stx)) return;
    for (const nf of t.stx.tx.nullifiers) {
      const key = toHex(nf);
      const other = this.byNullifier.get(key);
      if (other === undefined) continue;
      if (!pending(other)) {
        this.byNullifier.delete(key);
        continue;
      }
      throw reject("NULLIFIER_SPENT", `nullifier ${key} is already spent by pending transaction ${other}`, {
        nullifier: key,
        pending: other,
      });
    }
  }

  /** The id of the pending tx (either pool) that publishes nullifier `key` (hex), if there is one. */
  spender(key: string, pending: (idHex: string) => boolean): string | undefined {
    const id = this.byNullifier.get(key);
    return id !== undefined && pending(id) ? id : undefined;
  }

  /** Records the nullifiers of an admitted shielded tx (either pool). */
  index(t: PoolTx): void {
    if (!isShielded(t.stx)) return;
    for (const nf of t.stx.tx.nullifiers) this.byNullifier.set(toHex(nf), t.idHex);
  }

  /** Admits an unsigned shielded tx (already checked); MEMPOOL_FULL past the limit. */
  add(t: PoolTx): void {
    if (this.byId.size >= this.o.maxTxs)
      throw reject("MEMPOOL_FULL", `shielded pool is full (${this.byId.size} txs)`);
    this.byId.set(t.idHex, t);
    this.changes.put.set(t.idHex, t);
    this.index(t);
  }

  /** Ids removed and txs added since the last call (deletes first, then puts). */
  takeChanges(): { put: PoolTx[]; del: string[] } {
    const c = this.changes;
    this.changes = { put: new Map(), del: new Set() };
    return { put: [...c.put.values()], del: [...c.del] };
  }

  remove(idHexes: Iterable<string>): void {
    for (const id of idHexes) this.forget(id);
  }

  private forget(id: string): void {
    const t = this.byId.get(id);
    if (t && isShielded(t.stx)) {
      for (const nf of t.stx.tx.nullifiers) {
        const key = toHex(nf);
        if (this.byNullifier.get(key) === id) this.byNullifier.delete(key);
      }
    }
    if (this.byId.delete(id)) {
      this.changes.put.delete(id);
      this.changes.del.add(id);
    }
  }

  /** Keeps only the txs `fits` accepts, in arrival order (after a block: spent nullifiers, old anchors). */
  revalidate(fits: (t: PoolTx) => boolean): PoolTx[] {
    const dropped: PoolTx[] = [];
    for (const t of [...this.byId.values()].sort((a, b) => a.receivedAt - b.receivedAt)) {
      if (!fits(t)) {
        dropped.push(t);
        this.forget(t.idHex);
      }
    }
    return dropped;
  }

  /** Empties the pool (a reorg re-admits its txs against the new tip). */
  drain(): PoolTx[] {
    const all = [...this.byId.values()];
    for (const t of all) this.forget(t.idHex);
    return all;
  }

  /** Best fee per byte first, within the limits; `fits` applies each to the template's state. */
  select(maxTxs: number, maxBytes: number, fits: (t: PoolTx) => boolean): PoolTx[] {
    const sorted = [...this.byId.values()].sort((a, b) => (paysMore(a, b) ? -1 : paysMore(b, a) ? 1 : 0));
    const out: PoolTx[] = [];
    let bytes = 0;
    for (const t of sorted) {
      if (out.length >= maxTxs) break;
      if (bytes + t.size > maxBytes || !fits(t)) continue;
      out.push(t);
      bytes += t.size;
    }
    return out;
  }
}
