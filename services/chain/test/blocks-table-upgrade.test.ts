import { join } from "node:path";
import { headerHash } from "@p2pnode/crypto";
import { type Db, openDatabase } from "@p2pnode/kit";
import { describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { BLOBS_LAST_MIGRATION, CHAIN_MIGRATIONS } from "../src/store.js";
import { alice, bob, carol, makeBlock, minerB, openChain, testGenesis, tmpDir, transfer } from "./helpers.js";

/*
 * The blocks table keeps the body and the undo data in its last columns, so a header lookup does
 * not read through the body's overflow pages (BLOBS_LAST_MIGRATION). A file written by the
 * version before is rebuilt on open: every row kept, byte for byte, and the undo data it held
 * still disconnects its blocks.
 */

const columns = (db: Db) =>
  db.prepare("SELECT name FROM pragma_table_info('blocks') ORDER BY cid").pluck().all() as string[];
const blockRows = (db: Db) =>
  db
    .prepare(
      `SELECT id, hash, height, prev_hash, header, tx_count, size, total_work, status, received_at, body, undo
       FROM blocks ORDER BY id`,
    )
    .all();

/** Every row of every table of `from` into the same-named tables of `to` (columns by name). */
function copyTables(from: Db, to: Db): void {
  const tables = from
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  for (const t of tables) {
    const cols = from.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[];
    const insert = to.prepare(
      `INSERT INTO ${t} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    );
    for (const row of from
      .prepare(`SELECT ${cols.join(", ")} FROM ${t}`)
      .raw()
      .all() as unknown[][])
      insert.run(...row);
  }
}

const accountsOf = (chain: Chain) =>
  [...chain.store.accounts()].map((a) => [a.address, `${a.account.balance}`]);

describe("blocks table upgrade", () => {
  it("an earlier file is rebuilt with body and undo last, every row kept, its undo data still usable", () => {
    const genesis = testGenesis();
    const source = openChain(genesis);
    const genesisMeta = source.tipBlock;
    source.submitBlock(makeBlock(source, { txs: [transfer(alice, bob, 100n, 0)] }));
    source.submitBlock(makeBlock(source, { txs: [transfer(alice, carol, 200n, 1)] }));
    // A side branch from genesis (status 'side', no undo data) to overtake the main chain later.
    const side = [makeBlock(source, { parent: genesisMeta, miner: minerB, gap: 1_500 })];
    expect(source.submitBlock(side[0]!).verdict.status).toBe("side");
    const rows = blockRows(source.store.db);
    const shape = (r: unknown) => {
      const row = r as { status: string; undo: unknown };
      return [row.status, row.undo !== null];
    };
    // genesis and two blocks on the main chain with their undo data, one side block without
    expect(rows.map(shape)).toEqual([
      ["main", true],
      ["main", true],
      ["main", true],
      ["side", false],
    ]);
    const accounts = accountsOf(source);

    // The file as the version before this one left it: the same rows in the earlier layout.
    const dir = tmpDir();
    const earlier = CHAIN_MIGRATIONS.slice(0, CHAIN_MIGRATIONS.indexOf(BLOBS_LAST_MIGRATION));
    const old = openDatabase(join(dir, "chain.sqlite"), earlier);
    copyTables(source.store.db, old);
    expect(columns(old).indexOf("body")).toBeLessThan(columns(old).indexOf("status"));
    old.close();

    const upgraded = openChain(genesis, {}, dir);
    expect(columns(upgraded.store.db).slice(-2)).toEqual(["body", "undo"]);
    expect(blockRows(upgraded.store.db)).toEqual(rows);
    expect(upgraded.tip()).toEqual(source.tip());
    expect(accountsOf(upgraded)).toEqual(accounts);
    expect(upgraded.store.blockMeta(genesisMeta.hash)?.headerBytes).toEqual(genesisMeta.headerBytes);

    // The side branch overtakes: both main blocks are disconnected with the undo data carried
    // over, leaving the state of a chain that only ever saw the side branch.
    let parent = upgraded.store.blockMeta(headerHash(side[0]!.header))!;
    expect(parent.status).toBe("side");
    for (let i = 0; i < 2; i++) {
      side.push(makeBlock(upgraded, { parent, miner: minerB, gap: 1_500 }));
      const status = upgraded.submitBlock(side.at(-1)!).verdict.status;
      expect(status).toBe(i === 0 ? "side" : "reorg"); // equal work first: the first seen stays
      parent = upgraded.store.blockMeta(headerHash(side.at(-1)!.header))!;
    }
    expect(upgraded.tipBlock.height).toBe(3);
    const only = openChain(genesis);
    for (const b of side) only.submitBlock(b);
    expect(upgraded.tip()).toEqual(only.tip());
    expect(accountsOf(upgraded)).toEqual(accountsOf(only));
  });
});
