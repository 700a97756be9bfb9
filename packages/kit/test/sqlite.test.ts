import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inTransaction, openDatabase } from "../src/store/index.js";

const migrations = [
  (db: import("../src/store/index.js").Db) =>
    db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)"),
];

describe("SQLite helper", () => {
  it("opens in WAL mode with synchronous=FULL and applies migrations once", () => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-db-")), "a.sqlite");
    const db = openDatabase(file, migrations);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    db.prepare("INSERT INTO kv VALUES (?, ?)").run("a", "1");
    db.close();
    const again = openDatabase(file, migrations);
    expect(again.prepare("SELECT v FROM kv WHERE k = ?").pluck().get("a")).toBe("1");
    again.close();
  });

  it("rolls a failed transaction back completely", () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), "p2pnode-db-")), "b.sqlite"), migrations);
    expect(() =>
      inTransaction(db, () => {
        db.prepare("INSERT INTO kv VALUES (?, ?)").run("x", "1");
        db.prepare("INSERT INTO kv VALUES (?, ?)").run("x", "dup");
      }),
    ).toThrow(/UNIQUE/);
    expect(db.prepare("SELECT count(*) FROM kv").pluck().get()).toBe(0);
    db.close();
  });

  it("refuses a database from a newer schema", () => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-db-")), "c.sqlite");
    openDatabase(file, [...migrations, () => undefined]).close();
    expect(() => openDatabase(file, migrations)).toThrow(/newer/);
  });
});
