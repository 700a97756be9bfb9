import type { Migration } from "@p2pnode/kit";
import type { PoolTx } from "./mempool.js";
import type { ChainStore } from "./store.js";

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

/**
 * Rows keyed by an increasing sequence instead of the tx id: a commit's new rows go to the
 * table's last page, and a block's mined txs (taken roughly in arrival order) are neighbours.
 * Keyed by the id, each row landed on a random page of the B-tree: a commit of a few txs wrote
 * ~18 WAL pages and a 1,000-tx block's deletes touched most of the table. The id is not stored:
 * it is the hash of the tx bytes, recomputed when the rows are read back on start.
 */
export const MEMPOOL_SEQUENCE_MIGRATION: Migration = (db) => {
  db.exec(`
    CREATE TABLE mempool_rows (seq INTEGER PRIMARY KEY, tx BLOB NOT NULL, received_at INTEGER NOT NULL);
    INSERT INTO mempool_rows (tx, received_at) SELECT tx, received_at FROM mempool ORDER BY received_at;
    DROP TABLE mempool;
    ALTER TABLE mempool_rows RENAME TO mempool;
  `);
};

export interface StoredPoolTx {
  seq: number;
  bytes: Uint8Array;
  receivedAt: number;
}

/**
 * The pool's rows, and which row holds which tx (by id hex). The row keys change with the
 * chain store's transactions: each change leaves its undo step with the store, which runs it if
 * the transaction rolls back, so the map never names a row the file does not hold, nor misses one
 * it does.
 */
export class MempoolStore {
  private readonly q;
  private readonly seqOf = new Map<string, number>();

  constructor(private readonly store: Pick<ChainStore, "db" | "transaction" | "onRollback">) {
    const p = (sql: string) => store.db.prepare(sql);
    this.q = {
      put: p("INSERT INTO mempool (tx, received_at) VALUES (?, ?)"),
      del: p("DELETE FROM mempool WHERE seq = ?"),
      delRange: p("DELETE FROM mempool WHERE seq BETWEEN ? AND ?"),
      all: p("SELECT seq, tx, received_at FROM mempool ORDER BY seq"),
    };
  }

  /** Runs `fn` in one store transaction; the row keys follow only if it commits. */
  write<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  /** Applies the pool's changes (deletes first); the caller runs it inside `write`. */
  apply(c: { put: readonly PoolTx[]; del: Iterable<string> }): void {
    this.deleteIds(c.del);
    for (const t of c.put) {
      if (this.seqOf.has(t.idHex)) this.deleteIds([t.idHex]); // put again without a delete: one row
      const seq = Number(this.q.put.run(t.bytes, t.receivedAt).lastInsertRowid);
      const id = t.idHex;
      this.store.onRollback(() => this.seqOf.delete(id));
      this.seqOf.set(id, seq);
    }
  }

  /** Whether a row holds this tx (id hex). */
  holds(idHex: string): boolean {
    return this.seqOf.has(idHex);
  }

  /**
   * Deletes the rows of these tx ids (hex); ids without a row (never stored, or already deleted)
   * are skipped. Consecutive keys go in
   * one range statement: a block mines txs mostly in their arrival order.
   */
  deleteIds(ids: Iterable<string>): void {
    const seqs: number[] = [];
    for (const id of ids) {
      const seq = this.seqOf.get(id);
      if (seq === undefined) continue;
      seqs.push(seq);
      this.store.onRollback(() => this.seqOf.set(id, seq));
      this.seqOf.delete(id);
    }
    seqs.sort((a, b) => a - b);
    for (let i = 0; i < seqs.length; ) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
      if (i === j) this.q.del.run(seqs[i]);
      else this.q.delRange.run(seqs[i], seqs[j]);
      i = j + 1;
    }
  }

  /** Every stored row, oldest first (read once, on start, before `adopt`). */
  all(): StoredPoolTx[] {
    return (this.q.all.all() as { seq: number; tx: Buffer; received_at: number }[]).map((r) => ({
      seq: r.seq,
      bytes: new Uint8Array(r.tx),
      receivedAt: r.received_at,
    }));
  }

  /**
   * After a restart: `kept` names the row of each tx the pool re-admitted; every other row (no
   * longer valid, unreadable, a duplicate) is deleted.
   */
  adopt(stored: readonly StoredPoolTx[], kept: ReadonlyMap<string, number>): void {
    const keep = new Set(kept.values());
    const gone = stored.filter((s) => !keep.has(s.seq));
    if (gone.length > 0)
      this.store.transaction(() => {
        for (const s of gone) this.q.del.run(s.seq);
      });
    for (const [id, seq] of kept) this.seqOf.set(id, seq);
  }
}
