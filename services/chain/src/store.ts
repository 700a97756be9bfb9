import { type BlockHeader, decodeHeader, fromHex, toHex } from "@p2pnode/codec";
import { type Db, inTransaction, type Migration, openDatabase } from "@p2pnode/kit";
import { AccountCache } from "./account-cache.js";
import { ChainFault } from "./errors.js";
import { MEMPOOL_MIGRATION, MEMPOOL_SEQUENCE_MIGRATION } from "./mempool-store.js";
import { decodeUndo, encodeUndo, type UndoEntry, undoFromJson } from "./undo.js";
import { PendingAccounts, PendingTxIndex, UndoLog } from "./write-back.js";

export type { UndoEntry };

/*
 * The chain's SQLite file (WAL, synchronous=FULL via kit). Layout:
 *   blocks      every stored block, main chain or side branch: header, encoded body, total work,
 *               status, and while on the main chain its undo data (the state it overwrote,
 *               binary: undo.ts)
 *   main_chain  height → hash of the best chain
 *   txs         tx id → block and position, for main-chain blocks up to the one meta
 *               `flushed_at` names (the tip, or a main-chain block below it: tx index rows and
 *               account writes wait in memory between flushes, write-back.ts; absent, the tip)
 *   accounts    address → balance, nonce: the state at that block
 *   meta        tip pointer, genesis hash, chain id; the shielded pool's frontier, recent roots
 *               and value (shielded-state.ts)
 *   mempool     sequence → encoded tx, received time: the pool across restarts (mempool-store.ts)
 *   nullifiers  every nullifier published on the main chain, with its block's height
 *   shielded_undo  per main-chain block with shielded txs: frontier, evicted root and pool value before it
 * A block (its row with the body and undo data, its main-chain row) and the tip pointer are
 * written in one BEGIN IMMEDIATE transaction (`transaction()`), so a crash leaves all or none of
 * them; its account changes and tx index rows are written by a later flush, or replayed from the
 * stored blocks after a crash.
 */

export type BlockStatus = "main" | "side" | "invalid";

export interface Account {
  balance: bigint;
  nonce: number;
}

export interface BlockMeta {
  hash: Uint8Array;
  height: number;
  prevHash: Uint8Array;
  header: BlockHeader;
  headerBytes: Uint8Array;
  txCount: number;
  size: number;
  totalWork: bigint;
  status: BlockStatus;
  receivedAt: number;
}

export interface TxLocation {
  blockHash: Uint8Array;
  height: number;
  index: number;
}

/**
 * The blocks table rebuilt with the body and the undo data as its last columns. A row's columns
 * are stored in order and a body over a page long spills into a chain of overflow pages (a
 * 1,000-tx block: ~37 of 4 KiB), so every column after the body was reached by reading that whole
 * chain: each header lookup (the median time past reads 11 per block, a get-headers answer up to
 * 2,000) read every byte of the block. Now the columns read on every lookup sit in the row's
 * first page. The body comes before the undo data: bodies are served to peers, undo data is read
 * only to disconnect a block.
 */
export const BLOBS_LAST_MIGRATION: Migration = (db) => {
  db.exec(`
    CREATE TABLE blocks_blobs_last (
      id INTEGER PRIMARY KEY,
      hash BLOB NOT NULL UNIQUE,
      height INTEGER NOT NULL,
      prev_hash BLOB NOT NULL,
      header BLOB NOT NULL,
      tx_count INTEGER NOT NULL,
      size INTEGER NOT NULL,
      total_work TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('main', 'side', 'invalid')),
      received_at INTEGER NOT NULL,
      body BLOB NOT NULL,
      undo TEXT
    );
    INSERT INTO blocks_blobs_last
      (id, hash, height, prev_hash, header, tx_count, size, total_work, status, received_at, body, undo)
      SELECT id, hash, height, prev_hash, header, tx_count, size, total_work, status, received_at, body, undo
      FROM blocks ORDER BY id;
    DROP TABLE blocks;
    ALTER TABLE blocks_blobs_last RENAME TO blocks;
    CREATE INDEX blocks_prev ON blocks (prev_hash);
  `);
};

/** The schema steps, oldest first (exported for the upgrade tests). */
export const CHAIN_MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE blocks (
        id INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,
        height INTEGER NOT NULL,
        prev_hash BLOB NOT NULL,
        header BLOB NOT NULL,
        body BLOB NOT NULL,
        tx_count INTEGER NOT NULL,
        size INTEGER NOT NULL,
        total_work TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('main', 'side', 'invalid')),
        received_at INTEGER NOT NULL,
        undo TEXT
      );
      CREATE INDEX blocks_prev ON blocks (prev_hash);
      CREATE TABLE main_chain (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
      CREATE TABLE txs (
        id BLOB PRIMARY KEY, block_hash BLOB NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX txs_height ON txs (height);
      CREATE TABLE accounts (address BLOB PRIMARY KEY, balance TEXT NOT NULL, nonce INTEGER NOT NULL) WITHOUT ROWID;
    `);
  },
  MEMPOOL_MIGRATION,
  (db) => {
    db.exec(`
      CREATE TABLE nullifiers (nf BLOB PRIMARY KEY, height INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX nullifiers_height ON nullifiers (height);
      CREATE TABLE shielded_undo (
        hash BLOB PRIMARY KEY, frontier BLOB NOT NULL, evicted BLOB, pool TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
  // Undo data from JSON text to the binary form of undo.ts (a third of the bytes, no decimal
  // conversions on the commit path). Only main-chain blocks hold undo data. The column keeps its
  // TEXT declaration: SQLite stores a BLOB as given, whatever a column's affinity.
  (db) => {
    const rows = db.prepare("SELECT id, undo FROM blocks WHERE undo IS NOT NULL").all() as {
      id: number;
      undo: string | Buffer;
    }[];
    const set = db.prepare("UPDATE blocks SET undo = ? WHERE id = ?");
    for (const r of rows) if (typeof r.undo === "string") set.run(encodeUndo(undoFromJson(r.undo)), r.id);
  },
  MEMPOOL_SEQUENCE_MIGRATION,
  BLOBS_LAST_MIGRATION,
];

/** What a block with shielded txs overwrote: restored when it is disconnected. */
export interface ShieldedUndo {
  frontier: Uint8Array;
  /** The recent root the block's new root pushed out of the window, if any. */
  evicted: Uint8Array | undefined;
  pool: bigint;
}

interface BlockRow {
  hash: Buffer;
  height: number;
  prev_hash: Buffer;
  header: Buffer;
  tx_count: number;
  size: number;
  total_work: string;
  status: BlockStatus;
  received_at: number;
}

const META_COLUMNS = "hash, height, prev_hash, header, tx_count, size, total_work, status, received_at";

/**
 * When the account writes and tx index rows waiting in memory are flushed to their tables: at the
 * end of the store transaction that brings them to `rows` (account writes and index rows) or
 * `blocks` connected blocks since the last flush, whichever comes first (and in a reorg, on
 * close, and before a whole table is read). A crash costs a replay of at most `blocks` blocks
 * on start.
 */
export interface FlushPolicy {
  rows: number;
  blocks: number;
}

export const defaultFlushPolicy: FlushPolicy = { rows: 100_000, blocks: 100 };

/** The flushes so far (the chain's /metrics): how many, the rows they wrote, the time writing them. */
export interface FlushStats {
  flushes: number;
  rows: number;
  seconds: number;
}

export class ChainStore {
  readonly db: Db;
  private readonly q;
  private readonly accountCache = new AccountCache();
  private readonly undoLog = new UndoLog();
  private readonly pending = new PendingAccounts(this.undoLog);
  private readonly pendingTxs = new PendingTxIndex(this.undoLog);
  /** Nesting of `transaction()` calls: the outermost one flushes and commits. */
  private depth = 0;
  private blocksSinceFlush = 0;
  private flushWanted = false;
  readonly flushStats: FlushStats = { flushes: 0, rows: 0, seconds: 0 };
  /** The running transaction's flush: its time writing the rows (counted once it commits). */
  private flushSeconds = 0;

  constructor(
    file: string,
    private readonly flushPolicy: FlushPolicy = defaultFlushPolicy,
  ) {
    this.db = openDatabase(file, CHAIN_MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      metaGet: p("SELECT value FROM meta WHERE key = ?").pluck(),
      metaSet: p(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
      blockMeta: p(`SELECT ${META_COLUMNS} FROM blocks WHERE hash = ?`),
      blockBody: p("SELECT body FROM blocks WHERE hash = ?").pluck(),
      blockUndo: p("SELECT undo FROM blocks WHERE hash = ?").pluck(),
      blockInsert: p(
        `INSERT INTO blocks (hash, height, prev_hash, header, body, tx_count, size, total_work, status, received_at, undo)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      blockStatus: p("UPDATE blocks SET status = ?, undo = ? WHERE hash = ?"),
      blockChildren: p("SELECT hash FROM blocks WHERE prev_hash = ?").pluck(),
      blockCount: p("SELECT count(*) FROM blocks").pluck(),
      mainAt: p("SELECT hash FROM main_chain WHERE height = ?").pluck(),
      mainSet: p("INSERT OR REPLACE INTO main_chain (height, hash) VALUES (?, ?)"),
      mainDelete: p("DELETE FROM main_chain WHERE height = ?"),
      mainMax: p("SELECT max(height) FROM main_chain").pluck(),
      mainCount: p("SELECT count(*) FROM main_chain").pluck(),
      txInsert: p("INSERT INTO txs (id, block_hash, height, idx) VALUES (?, ?, ?, ?)"),
      txDeleteHeight: p("DELETE FROM txs WHERE height = ?"),
      txGet: p("SELECT block_hash, height, idx FROM txs WHERE id = ?"),
      txCount: p("SELECT count(*) FROM txs").pluck(),
      accountGet: p("SELECT balance, nonce FROM accounts WHERE address = ?"),
      accountPut: p(
        `INSERT INTO accounts (address, balance, nonce) VALUES (?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce`,
      ),
      accountDelete: p("DELETE FROM accounts WHERE address = ?"),
      accountsAll: p("SELECT address, balance, nonce FROM accounts ORDER BY address"),
      nullifierHas: p("SELECT 1 FROM nullifiers WHERE nf = ?").pluck(),
      nullifierPut: p("INSERT INTO nullifiers (nf, height) VALUES (?, ?)"),
      nullifierDeleteHeight: p("DELETE FROM nullifiers WHERE height = ?"),
      nullifierCount: p("SELECT count(*) FROM nullifiers").pluck(),
      shieldedUndoGet: p("SELECT frontier, evicted, pool FROM shielded_undo WHERE hash = ?"),
      shieldedUndoPut: p(
        "INSERT OR REPLACE INTO shielded_undo (hash, frontier, evicted, pool) VALUES (?, ?, ?, ?)",
      ),
      shieldedUndoDelete: p("DELETE FROM shielded_undo WHERE hash = ?"),
    };
  }

  /**
   * Runs `fn` in one BEGIN IMMEDIATE transaction; a throw rolls all of it back, the writes
   * waiting in memory included. The outermost one flushes them first when they are due.
   */
  transaction<T>(fn: () => T): T {
    const mark = this.undoLog.mark();
    // A transaction begun outside the store (none is) would own the COMMIT: no flush under it.
    const outermost = this.depth === 0 && !this.db.inTransaction;
    let flushed = false;
    this.depth++;
    try {
      const result = inTransaction(this.db, () => {
        const r = fn();
        if (outermost) flushed = this.flushIfDue();
        return r;
      });
      if (outermost) this.committed(flushed);
      return result;
    } catch (err) {
      this.undoLog.rollBack(mark);
      throw err;
    } finally {
      this.depth--;
    }
  }

  /**
   * Inside a store transaction: `undo` runs if that transaction (or one around it) rolls back,
   * so what a caller keeps beside the file (the mempool's row keys) follows the file. Outside
   * one there is nothing to roll back.
   */
  onRollback(undo: () => void): void {
    if (this.depth > 0) this.undoLog.push(undo);
  }

  /**
   * Writes the pending accounts and tx index rows to their tables now (inside a transaction: at
   * its end). A no-op when nothing waits.
   */
  flush(): void {
    if (!this.db.open || (this.pendingRows === 0 && this.blocksSinceFlush === 0)) return;
    this.flushWanted = true;
    if (this.depth === 0) this.transaction(() => {});
  }

  /** Account writes and tx index rows waiting in memory for the next flush. */
  get pendingRows(): number {
    return this.pending.size + this.pendingTxs.size;
  }

  /** Flushes first: a graceful stop leaves nothing to replay. */
  close(): void {
    if (!this.db.open) return;
    try {
      if (!this.db.inTransaction) this.flush();
    } catch {
      // A full disk, say: the blocks are committed, and the next start replays what waited.
    } finally {
      this.db.close();
    }
  }

  /** Inside the outermost transaction, before COMMIT: writes what waits when it is due. */
  private flushIfDue(): boolean {
    const p = this.flushPolicy;
    if (!(this.flushWanted || this.pendingRows >= p.rows || this.blocksSinceFlush >= p.blocks)) return false;
    const started = performance.now();
    this.pending.forEach((address, a) => {
      if (a) this.q.accountPut.run(address, a.balance.toString(), a.nonce);
      else this.q.accountDelete.run(address);
    });
    const insert = this.q.txInsert;
    for (const { blockHash, height, ids } of this.pendingTxs.blocks())
      for (let i = 0; i < ids.length; i++) insert.run(ids[i], blockHash, height, i);
    this.setMeta("flushed_at", this.getMeta("tip") ?? "");
    this.flushSeconds = (performance.now() - started) / 1000;
    return true;
  }

  /** The outermost transaction committed: what it flushed is in the file (so in the cache). */
  private committed(flushed: boolean): void {
    this.undoLog.clear();
    if (!flushed) return;
    this.pending.forEach((address, a) => {
      this.accountCache.set(address, a);
    });
    this.flushStats.flushes++;
    this.flushStats.rows += this.pendingRows; // what the flush wrote: nothing was added after it
    this.flushStats.seconds += this.flushSeconds;
    this.pending.clear();
    this.pendingTxs.clear();
    this.blocksSinceFlush = 0;
    this.flushWanted = false;
  }

  getMeta(key: string): string | undefined {
    return this.q.metaGet.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.q.metaSet.run(key, value);
  }

  blockMeta(hash: Uint8Array): BlockMeta | undefined {
    const row = this.q.blockMeta.get(hash) as BlockRow | undefined;
    return row ? toMeta(row) : undefined;
  }

  blockBody(hash: Uint8Array): Uint8Array | undefined {
    const body = this.q.blockBody.get(hash) as Buffer | undefined;
    return body ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : undefined;
  }

  undo(hash: Uint8Array): UndoEntry[] {
    const raw = this.q.blockUndo.get(hash) as Buffer | string | null | undefined;
    if (!(raw instanceof Uint8Array))
      throw new ChainFault("INTERNAL", `store: no undo data for main-chain block ${hex(hash)}`);
    return decodeUndo(raw, `block ${hex(hash)}`);
  }

  /**
   * Stores a block. A block that extends the main chain comes with its status "main" and undo
   * data, so its row (with a body of up to 2 MiB) is written once instead of inserted and updated.
   */
  insertBlock(m: Omit<BlockMeta, "header">, body: Uint8Array, undo?: readonly UndoEntry[]): void {
    this.q.blockInsert.run(
      m.hash,
      m.height,
      m.prevHash,
      m.headerBytes,
      body,
      m.txCount,
      m.size,
      m.totalWork.toString(),
      m.status,
      m.receivedAt,
      undo === undefined ? null : encodeUndo(undo),
    );
  }

  /** Moves a block between main, side and invalid; undo data is kept only while on the main chain. */
  setStatus(hash: Uint8Array, status: BlockStatus, undo?: readonly UndoEntry[]): void {
    this.q.blockStatus.run(status, undo === undefined ? null : encodeUndo(undo), hash);
  }

  children(hash: Uint8Array): Uint8Array[] {
    return (this.q.blockChildren.all(hash) as Buffer[]).map((b) => new Uint8Array(b));
  }

  blockCount(): number {
    return this.q.blockCount.get() as number;
  }

  mainHashAt(height: number): Uint8Array | undefined {
    const h = this.q.mainAt.get(height) as Buffer | undefined;
    return h ? new Uint8Array(h) : undefined;
  }

  setMain(height: number, hash: Uint8Array): void {
    this.q.mainSet.run(height, hash);
    this.blocksSinceFlush++;
  }

  /**
   * A block leaves the main chain (a reorg): the transaction flushes what waits, so the block
   * the tables were last written at is always on the main chain and a replay only goes forward
   * (a side block keeps no undo data).
   */
  deleteMain(height: number): void {
    this.q.mainDelete.run(height);
    this.flushWanted = true;
  }

  mainHeight(): number | undefined {
    return (this.q.mainMax.get() as number | null) ?? undefined;
  }

  mainCount(): number {
    return this.q.mainCount.get() as number;
  }

  /** Held in memory until the next flush. */
  indexTxs(blockHash: Uint8Array, height: number, ids: readonly Uint8Array[]): void {
    this.writeBack(() => this.pendingTxs.add(blockHash, height, ids));
  }

  unindexTxs(height: number): void {
    this.pendingTxs.remove(height);
    this.q.txDeleteHeight.run(height);
  }

  txLocation(id: Uint8Array): TxLocation | undefined {
    const pending = this.pendingTxs.get(id);
    if (pending) return { blockHash: pending.blockHash, height: pending.height, index: pending.index };
    const row = this.q.txGet.get(id) as { block_hash: Buffer; height: number; idx: number } | undefined;
    return row
      ? { blockHash: new Uint8Array(row.block_hash), height: row.height, index: row.idx }
      : undefined;
  }

  txCount(): number {
    return (this.q.txCount.get() as number) + this.pendingTxs.size;
  }

  account(address: Uint8Array): Account | undefined {
    const pending = this.pending.get(address);
    if (pending !== undefined) return pending ?? undefined;
    const cached = this.accountCache.get(address);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.q.accountGet.get(address) as { balance: string; nonce: number } | undefined;
    const a = row ? { balance: BigInt(row.balance), nonce: row.nonce } : undefined;
    this.accountCache.set(address, a ?? null);
    return a;
  }

  /**
   * Held in memory until the next flush; written at once (its own flushed transaction) when no
   * transaction runs, since only a block's writes can be replayed.
   */
  putAccount(address: Uint8Array, a: Account): void {
    this.writeAccount(address, a);
  }

  deleteAccount(address: Uint8Array): void {
    this.writeAccount(address, null);
  }

  private writeAccount(address: Uint8Array, a: Account | null): void {
    this.writeBack(() => this.pending.set(address, a));
  }

  /**
   * Runs a write into the pending rows: in the running transaction, or when none runs in one of
   * its own that flushes (only a block's writes can be replayed after a crash).
   */
  private writeBack(write: () => void): void {
    if (this.depth > 0) {
      write();
      return;
    }
    this.flushWanted = true;
    this.transaction(write);
  }

  /** Every account at the tip, by address (flushes first: the table is read whole). */
  *accounts(): Generator<{ address: string; account: Account }> {
    this.flush();
    for (const row of this.q.accountsAll.iterate() as Iterable<{
      address: Buffer;
      balance: string;
      nonce: number;
    }>) {
      yield {
        address: row.address.toString("hex"),
        account: { balance: BigInt(row.balance), nonce: row.nonce },
      };
    }
  }

  // The shielded pool's rows (shielded-state.ts reads and writes them).

  hasNullifier(nf: Uint8Array): boolean {
    return this.q.nullifierHas.get(nf) !== undefined;
  }

  putNullifier(nf: Uint8Array, height: number): void {
    this.q.nullifierPut.run(nf, height);
  }

  deleteNullifiersAt(height: number): void {
    this.q.nullifierDeleteHeight.run(height);
  }

  nullifierCount(): number {
    return this.q.nullifierCount.get() as number;
  }

  shieldedUndo(hash: Uint8Array): ShieldedUndo | undefined {
    const row = this.q.shieldedUndoGet.get(hash) as
      | { frontier: Buffer; evicted: Buffer | null; pool: string }
      | undefined;
    if (!row) return undefined;
    return {
      frontier: new Uint8Array(row.frontier),
      evicted: row.evicted ? new Uint8Array(row.evicted) : undefined,
      pool: BigInt(row.pool),
    };
  }

  putShieldedUndo(hash: Uint8Array, u: ShieldedUndo): void {
    this.q.shieldedUndoPut.run(hash, u.frontier, u.evicted ?? null, u.pool.toString());
  }

  deleteShieldedUndo(hash: Uint8Array): void {
    this.q.shieldedUndoDelete.run(hash);
  }
}

function toMeta(r: BlockRow): BlockMeta {
  const headerBytes = new Uint8Array(r.header);
  return {
    hash: new Uint8Array(r.hash),
    height: r.height,
    prevHash: new Uint8Array(r.prev_hash),
    header: decodeHeader(headerBytes),
    headerBytes,
    txCount: r.tx_count,
    size: r.size,
    totalWork: BigInt(r.total_work),
    status: r.status,
    receivedAt: r.received_at,
  };
}

/** codec's toHex and fromHex (one rule for hex), under the names the chain's modules use. */
export const hex: (b: Uint8Array) => string = toHex;
/** Refuses what is not lowercase hex of an even length (Buffer's decoder stops there silently). */
export const unhex = (s: string): Uint8Array => fromHex(s, "hex");
