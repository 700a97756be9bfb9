import { toHex } from "@p2pnode/codec";
import { ValueKind } from "@p2pnode/codec/dht";
import { type Db, inTransaction, openDatabase } from "@p2pnode/kit";

/** One stored value and its bookkeeping. */
export interface StoredValue {
  key: Uint8Array;
  kind: ValueKind;
  value: Uint8Array;
  /** Mutable records: their seq (newer wins); content values: 0. */
  seq: number;
  /** Published here (by this node's user): republished by us and never evicted for quota. */
  origin: boolean;
  storedAt: number;
  expiresAt: number;
  /** When the republish loop next pushes this value to the k closest nodes. */
  republishAt: number;
}

export type PutOutcome = "stored" | "refreshed" | "kept_newer" | "quota";

export interface StoreUsage {
  values: number;
  bytes: number;
  quotaBytes: number;
}

/** What the DHT needs of a value store; SQLite in the service, memory in simulations. */
export interface ValueStore {
  get(key: Uint8Array): StoredValue | undefined;
  /** Newer seq wins for mutable records; an equal value only refreshes expiry; over quota refuses. */
  put(v: StoredValue): PutOutcome;
  /** Unconditional overwrite (republish bookkeeping, and the devnet corruption hook). */
  replace(v: StoredValue): void;
  delete(key: Uint8Array): void;
  /** Deletes expired values; returns how many. */
  expire(now: number): number;
  /** Values whose republish time has come, oldest first. */
  due(now: number, limit: number): StoredValue[];
  list(limit: number, afterKeyHex?: string): StoredValue[];
  usage(): StoreUsage;
  getMeta(name: string): string | undefined;
  setMeta(name: string, value: string): void;
  close(): void;
}

function decide(existing: StoredValue | undefined, v: StoredValue, used: number, quota: number): PutOutcome {
  if (existing) {
    if (v.kind === ValueKind.Mutable && v.seq > existing.seq) return "stored";
    return existing.kind === ValueKind.Mutable && existing.seq > v.seq ? "kept_newer" : "refreshed";
  }
  return used + v.value.length > quota ? "quota" : "stored";
}

/** In-memory store for simulations and unit tests: same semantics as the SQLite one. */
export class MemoryValueStore implements ValueStore {
  private readonly values = new Map<string, StoredValue>();
  private readonly meta = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly quotaBytes = 64 * 1024 * 1024) {}

  get(key: Uint8Array): StoredValue | undefined {
    return this.values.get(toHex(key));
  }

  put(v: StoredValue): PutOutcome {
    const existing = this.get(v.key);
    const outcome = decide(existing, v, this.bytes, this.quotaBytes);
    if (outcome === "stored") this.replace(v);
    if (outcome === "refreshed" && existing) {
      existing.expiresAt = Math.max(existing.expiresAt, v.expiresAt);
      existing.origin ||= v.origin;
    }
    return outcome;
  }

  replace(v: StoredValue): void {
    const old = this.get(v.key);
    this.bytes += v.value.length - (old?.value.length ?? 0);
    this.values.set(toHex(v.key), { ...v });
  }

  delete(key: Uint8Array): void {
    const old = this.get(key);
    if (!old) return;
    this.bytes -= old.value.length;
    this.values.delete(toHex(key));
  }

  expire(now: number): number {
    let n = 0;
    for (const v of [...this.values.values()]) {
      if (v.expiresAt <= now) {
        this.delete(v.key);
        n++;
      }
    }
    return n;
  }

  due(now: number, limit: number): StoredValue[] {
    return [...this.values.values()]
      .filter((v) => v.republishAt <= now)
      .sort((a, b) => a.republishAt - b.republishAt)
      .slice(0, limit);
  }

  list(limit: number, afterKeyHex = ""): StoredValue[] {
    return [...this.values.entries()]
      .filter(([k]) => k > afterKeyHex)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([, v]) => v);
  }

  usage(): StoreUsage {
    return { values: this.values.size, bytes: this.bytes, quotaBytes: this.quotaBytes };
  }

  getMeta(name: string): string | undefined {
    return this.meta.get(name);
  }

  setMeta(name: string, value: string): void {
    this.meta.set(name, value);
  }

  close(): void {}
}

const MIGRATIONS = [
  (db: Db) => {
    db.exec(`
      CREATE TABLE dht_values (
        key BLOB PRIMARY KEY,
        kind INTEGER NOT NULL,
        value BLOB NOT NULL,
        seq INTEGER NOT NULL,
        origin INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        republish_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dht_values_expires ON dht_values(expires_at);
      CREATE INDEX dht_values_republish ON dht_values(republish_at);
      CREATE TABLE dht_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `);
  },
];

interface Row {
  key: Buffer;
  kind: number;
  value: Buffer;
  seq: number;
  origin: number;
  stored_at: number;
  expires_at: number;
  republish_at: number;
}

const fromRow = (r: Row): StoredValue => ({
  key: new Uint8Array(r.key),
  kind: r.kind as ValueKind,
  value: new Uint8Array(r.value),
  seq: r.seq,
  origin: r.origin === 1,
  storedAt: r.stored_at,
  expiresAt: r.expires_at,
  republishAt: r.republish_at,
});

/** The service's store: one SQLite file in the data dir, with a byte quota over all values. */
export class SqliteValueStore implements ValueStore {
  private readonly db: Db;
  private bytes: number;

  constructor(
    file: string,
    private readonly quotaBytes: number,
  ) {
    this.db = openDatabase(file, MIGRATIONS);
    const row = this.db.prepare("SELECT COALESCE(SUM(LENGTH(value)), 0) AS n FROM dht_values").get() as {
      n: number;
    };
    this.bytes = row.n;
  }

  get(key: Uint8Array): StoredValue | undefined {
    const r = this.db.prepare("SELECT * FROM dht_values WHERE key = ?").get(Buffer.from(key)) as
      | Row
      | undefined;
    return r ? fromRow(r) : undefined;
  }

  put(v: StoredValue): PutOutcome {
    return inTransaction(this.db, () => {
      const existing = this.get(v.key);
      const outcome = decide(existing, v, this.bytes, this.quotaBytes);
      if (outcome === "stored") this.replace(v);
      if (outcome === "refreshed") {
        this.db
          .prepare(
            "UPDATE dht_values SET expires_at = MAX(expires_at, ?), origin = MAX(origin, ?) WHERE key = ?",
          )
          .run(v.expiresAt, v.origin ? 1 : 0, Buffer.from(v.key));
      }
      return outcome;
    });
  }

  replace(v: StoredValue): void {
    const old = this.db
      .prepare("SELECT LENGTH(value) AS n FROM dht_values WHERE key = ?")
      .get(Buffer.from(v.key)) as { n: number } | undefined;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO dht_values (key, kind, value, seq, origin, stored_at, expires_at, republish_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        Buffer.from(v.key),
        v.kind,
        Buffer.from(v.value),
        v.seq,
        v.origin ? 1 : 0,
        v.storedAt,
        v.expiresAt,
        v.republishAt,
      );
    this.bytes += v.value.length - (old?.n ?? 0);
  }

  delete(key: Uint8Array): void {
    const old = this.db
      .prepare("SELECT LENGTH(value) AS n FROM dht_values WHERE key = ?")
      .get(Buffer.from(key)) as { n: number } | undefined;
    if (!old) return;
    this.db.prepare("DELETE FROM dht_values WHERE key = ?").run(Buffer.from(key));
    this.bytes -= old.n;
  }

  expire(now: number): number {
    return inTransaction(this.db, () => {
      const gone = this.db
        .prepare("SELECT COALESCE(SUM(LENGTH(value)), 0) AS n FROM dht_values WHERE expires_at <= ?")
        .get(now) as {
        n: number;
      };
      const res = this.db.prepare("DELETE FROM dht_values WHERE expires_at <= ?").run(now);
      this.bytes -= gone.n;
      return res.changes;
    });
  }

  due(now: number, limit: number): StoredValue[] {
    const rows = this.db
      .prepare("SELECT * FROM dht_values WHERE republish_at <= ? ORDER BY republish_at LIMIT ?")
      .all(now, limit) as Row[];
    return rows.map(fromRow);
  }

  list(limit: number, afterKeyHex = ""): StoredValue[] {
    const after = Buffer.from(afterKeyHex, "hex");
    const rows = this.db
      .prepare("SELECT * FROM dht_values WHERE key > ? ORDER BY key LIMIT ?")
      .all(after, limit) as Row[];
    return rows.map(fromRow);
  }

  usage(): StoreUsage {
    const n = this.db.prepare("SELECT COUNT(*) AS n FROM dht_values").get() as { n: number };
    return { values: n.n, bytes: this.bytes, quotaBytes: this.quotaBytes };
  }

  getMeta(name: string): string | undefined {
    const r = this.db.prepare("SELECT value FROM dht_meta WHERE name = ?").get(name) as
      | { value: string }
      | undefined;
    return r?.value;
  }

  setMeta(name: string, value: string): void {
    this.db.prepare("INSERT OR REPLACE INTO dht_meta (name, value) VALUES (?, ?)").run(name, value);
  }

  close(): void {
    this.db.close();
  }
}
