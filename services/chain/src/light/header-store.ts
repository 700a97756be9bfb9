import { type Db, openDatabase } from "@p2pnode/kit";

const MIGRATIONS = [
  (db: Db) =>
    db.exec(`CREATE TABLE headers (
      height INTEGER PRIMARY KEY,
      header BLOB NOT NULL
    ) WITHOUT ROWID`),
  // Dolev-Strong: the commit certificate each header was taken with, so GET /blocks can show it.
  (db: Db) =>
    db.exec(`CREATE TABLE certificates (
      height INTEGER PRIMARY KEY,
      bytes BLOB NOT NULL
    ) WITHOUT ROWID`),
];

/**
 * A light node's whole chain: the encoded headers of its best chain by height and, in a
 * dolev-strong network, the certificate each came with; nothing else (no bodies, no state, no
 * hash index — hashes are recomputed, headers are 200 bytes or so).
 */
export class HeaderStore {
  readonly db: Db;
  private readonly q;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    this.q = {
      put: this.db.prepare("INSERT OR REPLACE INTO headers (height, header) VALUES (?, ?)"),
      above: this.db.prepare("DELETE FROM headers WHERE height > ?"),
      all: this.db.prepare("SELECT header FROM headers ORDER BY height").pluck(),
      certPut: this.db.prepare("INSERT OR REPLACE INTO certificates (height, bytes) VALUES (?, ?)"),
      certGet: this.db.prepare("SELECT bytes FROM certificates WHERE height = ?").pluck(),
      certLast: this.db.prepare("SELECT bytes FROM certificates ORDER BY height DESC LIMIT 1").pluck(),
      certAbove: this.db.prepare("DELETE FROM certificates WHERE height > ?"),
    };
  }

  /** Replaces everything above `fromHeight - 1` with `headers` (a reorg or an extension), atomically. */
  replaceFrom(fromHeight: number, headers: readonly Uint8Array[]): void {
    this.db.transaction(() => {
      this.q.above.run(fromHeight - 1);
      this.q.certAbove.run(fromHeight - 1);
      for (const [i, h] of headers.entries()) this.q.put.run(fromHeight + i, h);
    })();
  }

  /** Stores a header at the next height together with its certificate, in one transaction. */
  putFinal(height: number, header: Uint8Array, certificate: Uint8Array): void {
    this.db.transaction(() => {
      this.replaceFrom(height, [header]);
      this.q.certPut.run(height, certificate);
    })();
  }

  certificate(height: number): Uint8Array | undefined {
    const b = this.q.certGet.get(height) as Buffer | undefined;
    return b && new Uint8Array(b);
  }

  /** The certificate of the highest header that has one. */
  lastCertificate(): Uint8Array | undefined {
    const b = this.q.certLast.get() as Buffer | undefined;
    return b && new Uint8Array(b);
  }

  all(): Uint8Array[] {
    return (this.q.all.all() as Buffer[]).map((b) => new Uint8Array(b));
  }

  close(): void {
    this.db.close();
  }
}
