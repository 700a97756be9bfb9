import type { Db } from "@p2pnode/kit";

/*
 * Certificates and equivocation evidence of a dolev-strong network, in the chain's own SQLite
 * file so a block and its certificate are written in one transaction (a crash keeps both or
 * neither):
 *   certificates  block hash → the first valid certificate stored with it, its slot and height
 *   evidence      (slot, leader) → the encoded evidence, first kept
 */

export interface StoredCertificate {
  slot: number;
  height: number;
  bytes: Uint8Array;
}

export interface StoredEvidence {
  slot: number;
  leader: number;
  bytes: Uint8Array;
  recordedAt: number;
}

export class FinalityStore {
  private readonly q;

  constructor(db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS certificates (
        hash BLOB PRIMARY KEY, slot INTEGER NOT NULL, height INTEGER NOT NULL, bytes BLOB NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS evidence (
        slot INTEGER NOT NULL, leader INTEGER NOT NULL, bytes BLOB NOT NULL, recorded_at INTEGER NOT NULL,
        PRIMARY KEY (slot, leader)
      ) WITHOUT ROWID;
    `);
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      certGet: p("SELECT slot, height, bytes FROM certificates WHERE hash = ?"),
      // The first valid certificate stays: every node then shows the one it first stored.
      certPut: p("INSERT OR IGNORE INTO certificates (hash, slot, height, bytes) VALUES (?, ?, ?, ?)"),
      evidencePut: p("INSERT OR IGNORE INTO evidence (slot, leader, bytes, recorded_at) VALUES (?, ?, ?, ?)"),
      evidenceList: p(
        "SELECT slot, leader, bytes, recorded_at FROM evidence ORDER BY slot DESC, leader LIMIT ?",
      ),
      evidenceCount: p("SELECT count(*) FROM evidence").pluck(),
    };
  }

  certificate(hash: Uint8Array): StoredCertificate | undefined {
    const r = this.q.certGet.get(hash) as { slot: number; height: number; bytes: Buffer } | undefined;
    return r && { slot: r.slot, height: r.height, bytes: new Uint8Array(r.bytes) };
  }

  putCertificate(hash: Uint8Array, c: StoredCertificate): void {
    this.q.certPut.run(hash, c.slot, c.height, c.bytes);
  }

  /** Stores evidence; false when this (slot, leader) already had some. */
  putEvidence(e: StoredEvidence): boolean {
    return this.q.evidencePut.run(e.slot, e.leader, e.bytes, e.recordedAt).changes > 0;
  }

  evidence(limit: number): StoredEvidence[] {
    return (
      this.q.evidenceList.all(limit) as { slot: number; leader: number; bytes: Buffer; recorded_at: number }[]
    ).map((r) => ({
      slot: r.slot,
      leader: r.leader,
      bytes: new Uint8Array(r.bytes),
      recordedAt: r.recorded_at,
    }));
  }

  evidenceCount(): number {
    return this.q.evidenceCount.get() as number;
  }
}
