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
