import { join } from "node:path";
import type { Block } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { validateStoredChain } from "../src/integrity.js";
import { ChainStore, type FlushPolicy, hex } from "../src/store.js";
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

/*
 * A block's account writes and tx index rows wait in memory until a flush (src/write-back.ts);
 * the blocks themselves are committed at once. These tests hold the promises that makes: reads
 * see every write, the file catches up at the flush, and a process that dies in between loses
 * nothing.
 */

const genesis = testGenesis();
const bobAtGenesis = BigInt(genesis.allocations.find((a) => a.address === bob.hex)!.balance);
const opened: ChainStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function open(file: string, policy: FlushPolicy): Chain {
  const store = new ChainStore(file, policy);
  opened.push(store);
  return new Chain(defaultChainOptions, { genesis, store });
}

/** What the accounts and tx index tables hold, read on a connection of its own (as a crashed process left them). */
function table(file: string): { rows: Map<string, string>; txs: number; at: string | undefined } {
  const other = new ChainStore(file);
  const db = other.db;
  try {
    const rows = db.prepare("SELECT address, balance, nonce FROM accounts").all() as {
      address: Buffer;
      balance: string;
      nonce: number;
    }[];
    const at = db.prepare("SELECT value FROM meta WHERE key = 'flushed_at'").pluck().get() as
      | string
      | undefined;
    const txs = db.prepare("SELECT count(*) FROM txs").pluck().get() as number;
    return {
      rows: new Map(rows.map((r) => [r.address.toString("hex"), `${r.balance}/${r.nonce}`])),
      txs,
      at,
    };
  } finally {
    other.close();
  }
}

/** Three blocks of transfers among alice, bob and carol, mined by minerA on `chain`. */
function mineThree(chain: Chain): Block[] {
  const blocks: Block[] = [];
  for (const txs of [
    [transfer(alice, bob, 100n, 0)],
    [transfer(bob, carol, 30n, 0), transfer(alice, carol, 5n, 1)],
    [transfer(carol, alice, 1n, 0)],
  ]) {
    blocks.push(makeBlock(chain, { txs }));
    chain.submitBlock(blocks.at(-1)!);
  }
  return blocks;
}

/** Dies as SIGKILL would: the connection goes without the flush a graceful close makes. */
function crash(chain: Chain): void {
  chain.store.db.close();
}

describe("account writes and tx index rows between flushes", () => {
  it("are read back at once; the tables get them at the flush, with the block they are at", () => {
    const file = join(tmpDir(), "chain.sqlite");
    const chain = open(file, { rows: 1_000_000, blocks: 3 });
    const before = table(file);
    expect(before.at).toBe(hex(chain.genesisHash)); // the allocations are written at once
    const first = transfer(alice, bob, 100n, 0);
    chain.submitBlock(makeBlock(chain, { txs: [first] }));
    chain.submitBlock(makeBlock(chain, { txs: [transfer(bob, carol, 30n, 0)] }));
    expect(chain.store.account(bob.address)!.balance).toBe(bobAtGenesis + 100n - 30n - 10n);
    expect(chain.store.txLocation(txId(first))).toMatchObject({ height: 1, index: 0 });
    expect(chain.store.txCount()).toBe(2);
    expect(chain.store.pendingRows).toBeGreaterThan(0);
    expect(table(file)).toEqual(before); // nothing written yet

    chain.submitBlock(makeBlock(chain, { txs: [] })); // the third block since the last flush
    expect(chain.store.pendingRows).toBe(0);
    const after = table(file);
    expect(after.at).toBe(chain.tip().hash);
    expect(after.rows.get(bob.hex)).toBe(`${bobAtGenesis + 100n - 30n - 10n}/1`);
    expect(after.rows.get(minerA.hex)).toBeDefined();
    expect(after.txs).toBe(2);
    expect(chain.store.txLocation(txId(first))).toMatchObject({ height: 1, index: 0 });
  });

  it("are replayed from the committed blocks when the process died before the flush: nothing is lost", async () => {
    const dir = tmpDir();
    const file = join(dir, "chain.sqlite");
    const reference = open(join(dir, "reference.sqlite"), { rows: 1, blocks: 1 }); // flushes every block
    const chain = open(file, { rows: 1_000_000, blocks: 1_000 });
    for (const block of mineThree(reference)) chain.submitBlock(block);
    expect(chain.tip()).toEqual(reference.tip());
    expect(table(file).at).toBe(hex(chain.genesisHash));
    crash(chain);

    const restarted = open(file, { rows: 1_000_000, blocks: 1_000 });
    expect(restarted.replayedBlocks).toBe(3);
    expect(table(file).at).toBe(restarted.tip().hash); // replayed and flushed
    expect(snapshot(restarted).accounts).toEqual(snapshot(reference).accounts);
    const report = await validateStoredChain(restarted.store, genesis, {
      retarget: restarted.retarget,
      signatures: true,
      yieldEvery: 100,
    });
    expect(report.ok, report.message ?? "").toBe(true);

    crash(restarted);
    const again = open(file, { rows: 1_000_000, blocks: 1_000 });
    expect(again.replayedBlocks).toBe(0); // nothing above the flush
  });

  it("wait for the next start when the flush on close fails: the blocks are replayed then", () => {
    const file = join(tmpDir(), "chain.sqlite");
    const chain = open(file, { rows: 1_000_000, blocks: 1_000 });
    chain.submitBlock(makeBlock(chain, { txs: [transfer(alice, bob, 100n, 0)] }));
    chain.submitBlock(makeBlock(chain, { txs: [transfer(bob, carol, 30n, 0)] }));
    const expected = chain.store.account(bob.address);
    // The index insert fails as on a full disk; close() still closes.
    chain.store.db.exec(
      "CREATE TRIGGER full_disk BEFORE INSERT ON txs BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    expect(() => chain.store.close()).not.toThrow();
    expect(chain.store.db.open).toBe(false);
    const fixed = new ChainStore(file);
    fixed.db.exec("DROP TRIGGER full_disk");
    fixed.close();

    const restarted = open(file, { rows: 1_000_000, blocks: 1_000 });
    expect(restarted.replayedBlocks).toBe(2);
    expect(restarted.store.account(bob.address)).toEqual(expected);
    expect(table(file).txs).toBe(2);
  });

  it("are flushed by a reorg, so the block they were written at never leaves the main chain", () => {
    const dir = tmpDir();
    const file = join(dir, "chain.sqlite");
    const chain = open(file, { rows: 1_000_000, blocks: 1_000 });
    const lost = transfer(alice, bob, 100n, 0);
    chain.submitBlock(makeBlock(chain, { txs: [lost] }));
    chain.submitBlock(makeBlock(chain, { txs: [transfer(alice, carol, 7n, 1)] }));
    expect(chain.store.pendingRows).toBeGreaterThan(0);
    // A heavier branch from genesis (three blocks against two), with other txs, built elsewhere.
    const other = open(join(dir, "other.sqlite"), { rows: 1, blocks: 1 });
    const statuses: string[] = [];
    const kept = transfer(bob, carol, 1n, 0);
    for (const txs of [[kept], [], []]) {
      const block = makeBlock(other, { txs, miner: minerB, gap: 1_500 });
      other.submitBlock(block);
      statuses.push(chain.submitBlock(block).verdict.status);
    }
    expect(statuses).toEqual(["side", "side", "reorg"]);
    expect(chain.store.pendingRows).toBe(0);
    expect(table(file).at).toBe(chain.tip().hash);
    expect(table(file).rows.get(bob.hex)).toBe(`${bobAtGenesis - 1n - 10n}/1`); // alice's 100 gone with branch a
    expect(table(file).txs).toBe(1);
    expect(chain.store.txLocation(txId(kept))).toMatchObject({ height: 1, index: 0 });
    expect(chain.store.txLocation(txId(lost))).toBeUndefined();
  });

  it("taken back with a rolled-back transaction, also one nested in another that commits", () => {
    const store = new ChainStore(join(tmpDir(), "chain.sqlite"), { rows: 1_000_000, blocks: 1_000 });
    opened.push(store);
    store.transaction(() => {
      store.putAccount(alice.address, { balance: 1n, nonce: 1 });
      expect(() =>
        store.transaction(() => {
          store.putAccount(alice.address, { balance: 2n, nonce: 2 });
          store.putAccount(bob.address, { balance: 3n, nonce: 0 });
          throw new Error("inner rule failed");
        }),
      ).toThrow("inner rule failed");
      expect(store.account(alice.address)).toEqual({ balance: 1n, nonce: 1 });
      expect(store.account(bob.address)).toBeUndefined();
    });
    expect(store.account(alice.address)).toEqual({ balance: 1n, nonce: 1 });
    expect(store.pendingRows).toBe(1);
    store.flush();
    expect(store.pendingRows).toBe(0);
    expect(store.account(alice.address)).toEqual({ balance: 1n, nonce: 1 });
  });
});
