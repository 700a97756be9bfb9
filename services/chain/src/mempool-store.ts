import type { Db, Migration } from "@p2pnode/kit";
import type { PoolTx } from "./mempool.js";

/**
 * The mempool's copy on disk (Bitcoin Core keeps mempool.dat; this is a table in the chain's
 * SQLite file): every accepted tx is written, in a committed transaction, before the chain
 * acknowledges it, so a 202 survives SIGKILL; mined, replaced, evicted and expired txs are deleted.
 * On start the rows are revalidated against the tip's state (`Chain.restoreMempool`).
 */
export const MEMPOOL_MIGRATION: Migration = (db) => {
  db.exec(`
    CREATE TABLE mempool (id BLOB PRIMARY KEY, tx BLOB NOT NULL, received_at INTEGER NOT NULL) WITHOUT ROWID;
  `);
};

export interface StoredPoolTx {
  idHex: string;
  bytes: Uint8Array;
  receivedAt: number;
}

export class MempoolStore {
  private readonly q;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      put: p("INSERT OR REPLACE INTO mempool (id, tx, received_at) VALUES (?, ?, ?)"),
      del: p("DELETE FROM mempool WHERE id = ?"),
      all: p("SELECT id, tx, received_at FROM mempool ORDER BY received_at"),
    };
  }

  /** Applies the pool's changes; the caller wraps it in a transaction (one fsync for all). */
  apply(c: { put: readonly PoolTx[]; del: readonly string[] }): void {
    for (const id of c.del) this.q.del.run(Buffer.from(id, "hex"));
    for (const t of c.put) this.q.put.run(t.id, t.bytes, t.receivedAt);
  }

  /** Deletes rows by tx id (a block's mined txs, in the block's own transaction). */
  deleteIds(ids: readonly Uint8Array[]): void {
    const del = this.q.del;
    for (const id of ids) del.run(id);
  }

  /** Every stored tx, oldest first. */
  all(): StoredPoolTx[] {
    return (this.q.all.all() as { id: Buffer; tx: Buffer; received_at: number }[]).map((r) => ({
      idHex: r.id.toString("hex"),
      bytes: new Uint8Array(r.tx),
      receivedAt: r.received_at,
    }));
  }
}
