import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValueKind } from "@p2pnode/codec/dht";
import { describe, expect, it } from "vitest";
import { MemoryValueStore, SqliteValueStore, type StoredValue, type ValueStore } from "../src/store.js";

const value = (key: number, size: number, extra: Partial<StoredValue> = {}): StoredValue => ({
  key: new Uint8Array(32).fill(key),
  kind: ValueKind.Content,
  value: new Uint8Array(size).fill(key),
  seq: 0,
  origin: false,
  storedAt: 0,
  expiresAt: 1_000,
  republishAt: 500,
  ...extra,
});

const stores: [string, (quota: number) => ValueStore][] = [
  ["memory", (q) => new MemoryValueStore(q)],
  ["sqlite", (q) => new SqliteValueStore(join(mkdtempSync(join(tmpdir(), "dht-store-")), "dht.sqlite"), q)],
];

describe.each(stores)("%s value store", (_name, make) => {
  it("refuses values past the quota and frees space on expiry", () => {
    const s = make(1_000);
    expect(s.put(value(1, 600))).toBe("stored");
    expect(s.put(value(2, 600))).toBe("quota");
    expect(s.put(value(1, 600, { expiresAt: 5_000 }))).toBe("refreshed");
    expect(s.expire(2_000)).toBe(0);
    expect(s.get(new Uint8Array(32).fill(1))?.expiresAt).toBe(5_000);
    expect(s.expire(6_000)).toBe(1);
    expect(s.usage()).toMatchObject({ values: 0, bytes: 0 });
    expect(s.put(value(2, 600))).toBe("stored");
    s.close();
  });

  it("keeps the mutable record with the highest seq", () => {
    const s = make(10_000);
    const m = (seq: number) =>
      value(3, 10, { kind: ValueKind.Mutable, seq, value: new Uint8Array(10).fill(seq) });
    expect(s.put(m(2))).toBe("stored");
    expect(s.put(m(1))).toBe("kept_newer");
    expect(s.put(m(3))).toBe("stored");
    expect(s.get(new Uint8Array(32).fill(3))?.seq).toBe(3);
    expect(s.due(600, 10)).toHaveLength(1);
    s.close();
  });
});

it("the SQLite store survives a reopen", () => {
  const file = join(mkdtempSync(join(tmpdir(), "dht-store-")), "dht.sqlite");
  const a = new SqliteValueStore(file, 10_000);
  a.put(value(4, 100));
  a.setMeta("record_seq", "77");
  a.close();
  const b = new SqliteValueStore(file, 10_000);
  expect(b.get(new Uint8Array(32).fill(4))?.value.length).toBe(100);
  expect(b.usage().bytes).toBe(100);
  expect(b.getMeta("record_seq")).toBe("77");
  b.close();
});
