import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { KitError } from "../errors.js";

export type Db = Database.Database;

/** One migration per schema version, applied in order inside a transaction. */
export type Migration = (db: Db) => void;

/**
 * Opens a SQLite file with the durability DESIGN.md §4 asks for: WAL, synchronous=FULL (a commit
 * survives power loss, not only a crash), foreign keys on, and a busy timeout instead of SQLITE_BUSY.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = []): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations);
  return db;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new KitError(
      "STORE_SCHEMA_NEWER",
      `database schema version ${current} is newer than this build knows (${migrations.length})`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Runs `fn` in one `BEGIN IMMEDIATE` transaction: all of it commits or none of it does. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
