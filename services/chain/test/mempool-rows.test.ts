import { join } from "node:path";
import { encodeSignedTransaction } from "@p2pnode/codec";
import { openDatabase } from "@p2pnode/kit";
import { prepareTx } from "@p2pnode/rules";
import { describe, expect, it } from "vitest";
import { MEMPOOL_SEQUENCE_MIGRATION, MempoolStore } from "../src/mempool-store.js";
import { CHAIN_MIGRATIONS, ChainStore } from "../src/store.js";
import {
  alice,
  bob,
  CHAIN_ID,
  carol,
  makeBlock,
  minerA,
  openChain,
  testGenesis,
  tmpDir,
  transfer,
} from "./helpers.js";

/*
 * The mempool's rows are keyed by an arrival sequence (mempool-store.ts), with a map from tx id
 * to row kept in memory: these tests hold the map and the file together across a rolled-back
 * transaction and across the upgrade from the id-keyed table.
 */

const rowCount = (store: ChainStore) => store.db.prepare("SELECT count(*) FROM mempool").pluck().get();

describe("mempool rows", () => {
  it("a transaction that deletes rows and then rolls back leaves those rows deletable", () => {
    const source = openChain(testGenesis());
    const t0 = source.submitTx(transfer(alice, bob, 10n, 0));
    const t1 = source.submitTx(transfer(bob, carol, 10n, 0));
    const store = new ChainStore(join(tmpDir(), "chain.sqlite"));
    const rows = new MempoolStore(store);
    rows.write(() => rows.apply({ put: [t0, t1], del: [] }));
    expect(rowCount(store)).toBe(2);

    // e.g. a block's commit whose COMMIT fails after its mined txs' rows were deleted
    expect(() =>
      rows.write(() => {
        rows.deleteIds([t0.idHex]);
        throw new Error("disk I/O error");
      }),
    ).toThrow("disk I/O error");
    expect(rowCount(store)).toBe(2);

    rows.write(() => rows.deleteIds([t0.idHex]));
    expect(rowCount(store)).toBe(1);
    rows.write(() => rows.apply({ put: [], del: [t1.idHex] }));
    expect(rowCount(store)).toBe(0);
  });

  it("a block's mined txs are deleted however their rows interleave with txs still pending", () => {
    const genesis = testGenesis();
    const dir = tmpDir();
    const chain = openChain(genesis, {}, dir);
    // rows 1..4 in arrival order: alice 0, bob 0, alice 1, bob 1; a block mines alice's two
    const a0 = chain.submitTx(transfer(alice, bob, 10n, 0));
    const b0 = chain.submitTx(transfer(bob, carol, 10n, 0));
    const a1 = chain.submitTx(transfer(alice, bob, 10n, 1));
    const b1 = chain.submitTx(transfer(bob, carol, 10n, 1));
    const other = openChain(genesis);
    other.submitTx(a0.stx);
    other.submitTx(a1.stx);
    chain.submitBlock(makeBlock(other, { txs: [a0.stx, a1.stx], miner: minerA }));
    expect(rowCount(chain.store)).toBe(2);
    const again = openChain(genesis, {}, dir);
    expect(again.mempool.inventory(Date.now()).sort()).toEqual([b0.idHex, b1.idHex].sort());
  });

  it("an id-keyed mempool table from an earlier version is kept, in arrival order", () => {
    const genesis = testGenesis();
    const dir = tmpDir();
    const file = join(dir, "chain.sqlite");
    // The file as the version before the sequence-keyed rows left it.
    const before = CHAIN_MIGRATIONS.slice(0, CHAIN_MIGRATIONS.indexOf(MEMPOOL_SEQUENCE_MIGRATION));
    const old = openDatabase(file, before);
    const put = old.prepare("INSERT INTO mempool (id, tx, received_at) VALUES (?, ?, ?)");
    const txs = [transfer(alice, bob, 10n, 0), transfer(alice, bob, 10n, 1), transfer(bob, carol, 5n, 0)];
    const arrived = [Date.now() - 3_000, Date.now() - 2_000, Date.now() - 1_000];
    // inserted newest first: the new rows must follow the arrival times, not the insert order
    for (let i = txs.length - 1; i >= 0; i--) {
      const p = prepareTx(txs[i]!, { chainId: CHAIN_ID, minFee: 0n });
      put.run(p.id, encodeSignedTransaction(txs[i]!), arrived[i]);
    }
    old.close();

    const chain = openChain(genesis, {}, dir);
    expect(chain.mempool.size).toBe(3);
    const ids = txs.map((t) => prepareTx(t, { chainId: CHAIN_ID, minFee: 0n }).idHex);
    expect(ids.map((id) => chain.mempool.get(id)?.receivedAt)).toEqual(arrived);
    const order = chain.store.db.prepare("SELECT received_at FROM mempool ORDER BY seq").pluck().all();
    expect(order).toEqual(arrived);
  });
});
