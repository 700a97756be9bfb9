import { type Db, inTransaction, type Migration } from "@p2pnode/kit";

export type BanKind = "node" | "ip";

export interface Ban {
  target: string;
  kind: BanKind;
  reason: string;
  createdAt: number;
  expiresAt: number;
}

/** Schema of the ban store; bans survive restarts (DESIGN.md §5). */
export const BAN_MIGRATIONS: Migration[] = [
  (db: Db) =>
    db.exec(`CREATE TABLE bans (
      target TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('node', 'ip')),
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`),
];

interface Row {
  target: string;
  kind: BanKind;
  reason: string;
  created_at: number;
  expires_at: number;
}

/**
 * Timed bans by NodeId and by IP, in SQLite with an in-memory copy for the hot path (every
 * inbound connection asks). Expired bans are ignored on read and deleted on the next write.
 */
export class BanStore {
  private readonly cache = new Map<string, Ban>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    const rows = db.prepare("SELECT * FROM bans").all() as Row[];
    for (const r of rows) this.cache.set(r.target, fromRow(r));
  }

  ban(target: string, kind: BanKind, reason: string, durationMs: number): Ban {
    const t = this.now();
    const b: Ban = { target, kind, reason: reason.slice(0, 200), createdAt: t, expiresAt: t + durationMs };
    inTransaction(this.db, () => {
      this.db.prepare("DELETE FROM bans WHERE expires_at <= ?").run(t);
      this.db
        .prepare(
          `INSERT INTO bans (target, kind, reason, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(target) DO UPDATE SET kind = excluded.kind, reason = excluded.reason,
             created_at = excluded.created_at, expires_at = excluded.expires_at`,
        )
        .run(b.target, b.kind, b.reason, b.createdAt, b.expiresAt);
    });
    this.cache.set(target, b);
    return b;
  }

  /** Lifts a ban; false if there was none. */
  unban(target: string): boolean {
    const had = this.get(target) !== undefined;
    inTransaction(this.db, () => this.db.prepare("DELETE FROM bans WHERE target = ?").run(target));
    this.cache.delete(target);
    return had;
  }

  get(target: string): Ban | undefined {
    const b = this.cache.get(target);
    if (b === undefined) return undefined;
    if (b.expiresAt <= this.now()) {
      this.cache.delete(target);
      return undefined;
    }
    return b;
  }

  isBanned(target: string): boolean {
    return this.get(target) !== undefined;
  }

  list(): Ban[] {
    const t = this.now();
    return [...this.cache.values()].filter((b) => b.expiresAt > t).sort((a, b) => b.createdAt - a.createdAt);
  }
}

function fromRow(r: Row): Ban {
  return {
    target: r.target,
    kind: r.kind,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
