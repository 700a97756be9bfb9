import { join } from "node:path";
import { headerHash } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { ChainStore } from "../src/store.js";
import { decodeUndo, encodeUndo, type UndoEntry } from "../src/undo.js";
import {
  alice,
  bob,
  carol,
  makeBlock,
  minerA,
  minerB,
  snapshot,
  testGenesis,
  tmpDir,
  transfer,
} from "./helpers.js";

const genesis = testGenesis();

describe("undo data", () => {
  it("round-trips absent accounts, zero and large balances, and nonces past 2^32", () => {
    const entries: UndoEntry[] = [
      { address: alice.address, before: { balance: 0n, nonce: 0 } },
      { address: bob.address, before: undefined },
      { address: carol.address, before: { balance: 2n ** 200n + 12345n, nonce: 2 ** 40 + 3 } },
      { address: minerA.address, before: { balance: 127n, nonce: 128 } },
    ];
    expect(decodeUndo(encodeUndo(entries), "test")).toEqual(entries);
  });

  it("writes the stored format byte for byte (a vector: data dirs hold these bytes)", () => {
    const a = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 31 + i) & 255);
    const entries: UndoEntry[] = [
      { address: a(1), before: { balance: 0n, nonce: 0 } },
      { address: a(2), before: undefined },
      { address: a(3), before: { balance: 1n, nonce: 127 } },
      { address: a(4), before: { balance: 255n, nonce: 128 } },
      { address: a(5), before: { balance: 256n, nonce: 2 ** 32 } },
      { address: a(6), before: { balance: 2n ** 53n - 1n, nonce: 2 ** 53 - 1 } },
      { address: a(7), before: { balance: 2n ** 53n, nonce: 300 } },
      { address: a(8), before: { balance: 2n ** 64n + 1n, nonce: 1 } },
      { address: a(9), before: { balance: 2n ** 200n + 12345n, nonce: 2 ** 40 + 3 } },
    ];
    // Written by the encoder that formatted each balance as hex first (until 2026-12-04).
    const vector =
      "0100000009141f202122232425262728292a2b2c2d2e2f3031320000143e3f404142434445464748494a4b4c4d4e4f5051ff145d5e5f6061" +
      "62636465666768696a6b6c6d6e6f7001017f147c7d7e7f808182838485868788898a8b8c8d8e8f01ff8001149b9c9d9e9fa0a1a2a3a4a5a6" +
      "a7a8a9aaabacadae020100808080801014babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccd071fffffffffffffffffffffffffff0f14d9da" +
      "dbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebec0720000000000000ac0214f8f9fafbfcfdfeff000102030405060708090a0b09010000000000" +
      "00000101141718191a1b1c1d1e1f202122232425262728292a1a0100000000000000000000000000000000000000000000003039838080808020";
    expect(Buffer.from(encodeUndo(entries)).toString("hex")).toBe(vector);
    expect(decodeUndo(Buffer.from(vector, "hex"), "vector")).toEqual(entries);
  });

  it("refuses truncated or trailing bytes instead of restoring a wrong state", () => {
    const bytes = encodeUndo([{ address: alice.address, before: { balance: 5n, nonce: 1 } }]);
    expect(() => decodeUndo(bytes.subarray(0, bytes.length - 1), "test")).toThrow(/corrupt/);
    expect(() => decodeUndo(Buffer.concat([bytes, Buffer.of(0)]), "test")).toThrow(/corrupt/);
  });

  it("a data dir written with JSON undo data is migrated, and a reorg over it restores the state", () => {
    const dir = tmpDir();
    const file = join(dir, "chain.sqlite");
    const old = new Chain(defaultChainOptions, { genesis, store: new ChainStore(file) });
    const base = snapshot(old);
    old.submitBlock(makeBlock(old, { txs: [transfer(alice, bob, 100n, 0), transfer(bob, carol, 7n, 0)] }));
    const mainTip = old.tipBlock;
    old.store.close();

    // Rewrite the store as the previous format left it: undo as JSON text, schema version 3.
    const db = new ChainStore(file).db;
    const rows = db.prepare("SELECT id, undo FROM blocks WHERE undo IS NOT NULL").all() as {
      id: number;
      undo: Buffer;
    }[];
    for (const r of rows) {
      const json = JSON.stringify(
        decodeUndo(r.undo, "test").map((u) => [
          Buffer.from(u.address).toString("hex"),
          u.before?.balance.toString() ?? null,
          u.before?.nonce ?? 0,
        ]),
      );
      db.prepare("UPDATE blocks SET undo = ? WHERE id = ?").run(json, r.id);
    }
    db.pragma("user_version = 3");
    db.close();

    const node = new Chain(defaultChainOptions, { genesis, store: new ChainStore(file) });
    expect(node.tipBlock.hash).toEqual(mainTip.hash);
    const undoType = node.store.db.prepare("SELECT typeof(undo) FROM blocks WHERE hash = ?").pluck();
    expect(undoType.get(mainTip.hash)).toBe("blob");
    // A heavier branch from genesis disconnects the migrated block using its undo data.
    const genesisMeta = node.store.blockMeta(node.genesisHash)!;
    const b1 = makeBlock(node, { parent: genesisMeta, miner: minerB });
    node.submitBlock(b1);
    const b2 = makeBlock(node, { parent: node.store.blockMeta(headerHash(b1.header))!, miner: minerB });
    expect(node.submitBlock(b2).verdict.status).toBe("reorg");
    const after = snapshot(node);
    const of = (s: typeof base, w: { hex: string }) => s.accounts.find((a) => a[0] === w.hex);
    for (const w of [alice, bob, carol, minerA]) expect(of(after, w)).toEqual(of(base, w));
    node.store.close();
  });
});
