import { type Db, openDatabase } from "@p2pnode/kit";

const MIGRATIONS = [
  (db: Db) =>
    db.exec(`CREATE TABLE headers (
      height INTEGER PRIMARY KEY,
      header BLOB NOT NULL
    ) WITHOUT ROWID`),
];

/**
 * A light node's whole chain: the encoded headers of its best chain by height, nothing else
 * (no bodies, no state, no hash index — hashes are recomputed, headers are 200 bytes or so).
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
    };
  }

  /** Replaces everything above `fromHeight - 1` with `headers` (a reorg or an extension), atomically. */
  replaceFrom(fromHeight: number, headers: readonly Uint8Array[]): void {
    this.db.transaction(() => {
      this.q.above.run(fromHeight - 1);
      for (const [i, h] of headers.entries()) this.q.put.run(fromHeight + i, h);
    })();
  }

  all(): Uint8Array[] {
    return (this.q.all.all() as Buffer[]).map((b) => new Uint8Array(b));
  }

  close(): void {
    this.db.close();
  }
}
