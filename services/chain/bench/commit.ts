/**
 * Block commit next to the bare SQL of the same rows, measured in the same run (DESIGN.md §7):
 *   - a 1,000-tx block as the chain gets it from a peer or the miner, as codec bytes, with its
 *     txs already verified in the mempool (so no signature is checked again): decode, validate,
 *     apply state, write block, undo data, tx index, accounts and tip, take the txs out of the
 *     pool, COMMIT (WAL, synchronous=FULL) — what the intake's `submitBlockBytes` runs, less the
 *     verify pool. Its account rows and tx index rows wait in memory for a flush (every 100
 *     blocks or 100,000 rows, as Bitcoin Core's dbcache): that flush is timed too, once at the
 *     end of the run, as if one fell inside it. The same block as a decoded object
 *     (`Chain.submitBlock`, as REST's JSON blocks arrive: every tx encoded again) is measured on
 *     a second chain alongside, and on a third the bytes flushed at every block (the baseline's
 *     rows per block, one transaction);
 *   - the baseline: every row that commit writes (block row with its undo data, main-chain row,
 *     1,000 tx index rows, one upsert per touched account, the tip pointer, the delete of the
 *     mined txs' mempool rows) written with prepared statements in one BEGIN IMMEDIATE
 *     transaction into a store of the same schema holding the same accounts and pool rows;
 *   - the first baseline, printed alongside: the same without the undo data and the pool rows
 *     (what the figures before 2026-12-04 were measured against).
 * They alternate block by block, so all see the same load on a shared machine.
 *   pnpm --filter @p2pnode/chain bench:commit    (BENCH_BLOCKS to resize)
 * Prints the figures, their ratio and the load average; writes bench-results/commit.json, with
 * the headline row (ratio against the goal of 0.5) for the `pnpm bench` summary table.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Block, encodeBlock } from "@p2pnode/codec";
import { inTransaction } from "@p2pnode/kit";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { decodeBlockBytes, prepareBlock } from "@p2pnode/rules";
import { hex, type UndoEntry } from "../src/store.js";
import { encodeUndo } from "../src/undo.js";
import { workOf } from "../src/work.js";
import { CHAIN_ID, makeBlock, transfer } from "../test/helpers.js";
import { BLOCK_TXS, blockFixture } from "./block-fixture.js";

const BLOCKS = benchSetting("BENCH_BLOCKS", 12, { min: 1 });
const dir = mkdtempSync(join(tmpdir(), "p2pnode-commit-bench-"));
const now = () => performance.now();
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

const { senders, recipient, chain } = blockFixture(dir);

// The blocks: BLOCKS × 1,000 transfers, one per sender, built on a chain of their own.
const blocks: Block[] = [];
const maker = chain();
for (let b = 0; b < BLOCKS + 1; b++) {
  const block = makeBlock(maker, { txs: senders.map((w) => transfer(w, recipient, 1n, b, 1n)) });
  maker.submitBlock(block);
  blocks.push(block);
}
maker.store.close();

/**
 * A baseline's store: the chain's schema and genesis accounts, written with bare statements.
 * `full`: every row the chain's commit writes — the block row with its undo data, and the deletes
 * of the mined txs' mempool rows (put in its pool, untimed, before each block, as admission puts
 * them in the chain's). Without: the rows of the first baseline (block row without undo data, no
 * pool rows), printed alongside for comparison with the figures measured before.
 */
function bareStore(full: boolean) {
  const store = chain().store;
  const db = store.db;
  const q = {
    block: db.prepare(
      `INSERT INTO blocks (hash, height, prev_hash, header, body, tx_count, size, total_work, status, received_at, undo)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'main', ?, ?)`,
    ),
    main: db.prepare("INSERT INTO main_chain (height, hash) VALUES (?, ?)"),
    tx: db.prepare("INSERT INTO txs (id, block_hash, height, idx) VALUES (?, ?, ?, ?)"),
    account: db.prepare(
      `INSERT INTO accounts (address, balance, nonce) VALUES (?, ?, ?)
       ON CONFLICT (address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce`,
    ),
    tip: db.prepare("UPDATE meta SET value = ? WHERE key = 'tip'"),
    poolPut: db.prepare("INSERT INTO mempool (tx, received_at) VALUES (?, ?)"),
    poolDelete: db.prepare("DELETE FROM mempool WHERE seq BETWEEN ? AND ?"),
  };
  let pooled: [number, number] = [0, -1];
  return {
    store,
    /** Untimed: the block's txs into the pool table, as admission writes them. */
    admit(rows: ReturnType<typeof rowsOf>): void {
      if (!full) return;
      inTransaction(db, () => {
        const seqs = rows.p.txs.map((t) => Number(q.poolPut.run(t.bytes, 0).lastInsertRowid));
        pooled = [seqs[0]!, seqs.at(-1)!];
      });
    },
    commit(rows: ReturnType<typeof rowsOf>): void {
      const { p } = rows;
      const h = p.block.header;
      inTransaction(db, () => {
        q.block.run(
          p.hash,
          h.height,
          h.prevHash,
          p.headerBytes,
          p.body,
          p.txs.length,
          p.body.length,
          rows.work,
          0,
          full ? rows.undo : null,
        );
        q.main.run(h.height, p.hash);
        for (let i = 0; i < p.txs.length; i++) q.tx.run(p.txs[i]!.id, p.hash, h.height, i);
        for (const a of rows.accounts) q.account.run(...a);
        q.tip.run(p.hashHex);
        if (full) q.poolDelete.run(...pooled);
      });
    },
  };
}
/** What the baselines write, prepared untimed: the rows, not the work of finding them. */
function rowsOf(block: Block) {
  const p = prepareBlock(block, CHAIN_ID);
  const accounts = new Map<string, [Buffer, string, number]>();
  // Undo data of the same size as the chain's: each touched account's balance and nonce before.
  const undo: UndoEntry[] = [];
  for (const t of p.txs) {
    const tx = t.stx.tx;
    if (tx.kind !== "transfer") throw new TypeError("bench blocks hold transfers only");
    accounts.set(hex(t.sender), [Buffer.from(t.sender), "999999000", tx.nonce + 1]);
    accounts.set(hex(tx.to), [Buffer.from(tx.to), "1000", 0]);
    undo.push({ address: t.sender, before: { balance: 999_999_000n, nonce: tx.nonce } });
  }
  accounts.set(hex(block.header.miner), [Buffer.from(block.header.miner), "1000", 0]);
  const first = block.txs[0]?.tx;
  if (first?.kind === "transfer") undo.push({ address: first.to, before: { balance: 1000n, nonce: 0 } });
  undo.push({ address: block.header.miner, before: { balance: 1000n, nonce: 0 } });
  return {
    p,
    accounts: [...accounts.values()],
    undo: encodeUndo(undo),
    work: workOf(block.header.target).toString(),
  };
}
const bare = bareStore(true);
const bareSubset = bareStore(false);

// Warm-up: the first block on each side, untimed (page cache, statement caches, JIT).
const measured = chain();
const measuredObject = chain();
const measuredEveryBlock = chain({ rows: 1, blocks: 1 });
const chains = [measured, measuredObject, measuredEveryBlock];
const admit = (block: Block) => {
  // signatures verified here, untimed
  for (const stx of block.txs) for (const c of chains) c.submitTx(stx);
};
admit(blocks[0]!);
for (const c of chains) c.submitBlock(blocks[0]!);
for (const b of [bare, bareSubset]) {
  b.admit(rowsOf(blocks[0]!));
  b.commit(rowsOf(blocks[0]!));
}

/** Named so a CPU profile (node --cpu-prof) can be cut down to the timed commits. */
function timedCommit(bytes: Uint8Array, on = measured) {
  const block = decodeBlockBytes(bytes, on.knownTx);
  return on.submitPrepared(prepareBlock(block, CHAIN_ID, undefined, bytes, on.knownTx));
}
function timedObjectCommit(block: Block) {
  return measuredObject.submitBlock(block);
}
const connected = (outcome: { verdict: { status: string } }) => {
  if (outcome.verdict.status !== "connected")
    throw new TypeError(`block not connected: ${outcome.verdict.status}`);
};

const loadBefore = load();
let chainSeconds = 0;
let objectSeconds = 0;
let everyBlockSeconds = 0;
/** The longest single commit: a block whose transaction flushed (the pause a flush makes). */
let slowestMs = 0;
let sqlSeconds = 0;
let subsetSeconds = 0;
// CPU time too: on a machine loaded by other work the wall times wait for a core, the CPU times
// do not (fsync waits count in neither CPU figure).
let chainCpu = 0;
let sqlCpu = 0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (const block of blocks.slice(1)) {
  const rows = rowsOf(block);
  const bytes = encodeBlock(block);
  admit(block);
  bare.admit(rows);
  let t0 = now();
  let c0 = cpu();
  bare.commit(rows);
  sqlSeconds += (now() - t0) / 1000;
  sqlCpu += cpu() - c0;
  t0 = now();
  bareSubset.commit(rows);
  subsetSeconds += (now() - t0) / 1000;
  t0 = now();
  c0 = cpu();
  connected(timedCommit(bytes));
  slowestMs = Math.max(slowestMs, now() - t0);
  chainSeconds += (now() - t0) / 1000;
  chainCpu += cpu() - c0;
  t0 = now();
  connected(timedObjectCommit(block));
  objectSeconds += (now() - t0) / 1000;
  t0 = now();
  connected(timedCommit(bytes, measuredEveryBlock));
  everyBlockSeconds += (now() - t0) / 1000;
}
// The rows still in memory: their flush counts as the chain's (on a longer run it
// comes once per 100 blocks; here it is charged to these few).
const flushed = measured.store.pendingRows;
let flushMs = 0;
{
  const t0 = now();
  const c0 = cpu();
  measured.store.flush();
  flushMs = now() - t0;
  chainSeconds += flushMs / 1000;
  chainCpu += cpu() - c0;
  const t1 = now();
  measuredObject.store.flush();
  objectSeconds += (now() - t1) / 1000;
}
const loadAfter = load();
if (chains.some((c) => c.mempool.size !== 0)) throw new TypeError("mined txs left in the mempool");
for (const c of chains) c.store.close();
bare.store.close();
bareSubset.store.close();
rmSync(dir, { recursive: true, force: true });

// --- report ----------------------------------------------------------------------------------
const figures = {
  block_1000tx_validate_commit_per_s: BLOCKS / chainSeconds,
  block_1000tx_object_validate_commit_per_s: BLOCKS / objectSeconds,
  block_1000tx_flush_every_block_per_s: BLOCKS / everyBlockSeconds,
  block_1000tx_bare_sql_per_s: BLOCKS / sqlSeconds,
  block_1000tx_bare_sql_subset_per_s: BLOCKS / subsetSeconds,
};
const ratio = figures.block_1000tx_validate_commit_per_s / figures.block_1000tx_bare_sql_per_s;
const cpuRatio = sqlCpu / chainCpu;
const fmt = (n: number, d = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: [string, string, string][] = [
  ["1,000-tx block: bare SQL of its rows (baseline)", fmt(figures.block_1000tx_bare_sql_per_s), "blocks/s"],
  [
    "  without undo data and pool-row deletes (the first baseline)",
    fmt(figures.block_1000tx_bare_sql_subset_per_s),
    `blocks/s (commit / it: ${fmt(figures.block_1000tx_validate_commit_per_s / figures.block_1000tx_bare_sql_subset_per_s, 2)}x)`,
  ],
  [
    "1,000-tx block: decode + validate + commit (txs verified in mempool)",
    fmt(figures.block_1000tx_validate_commit_per_s),
    `blocks/s (with one flush of ${flushed.toLocaleString("en-US")} rows: ${fmt(flushMs)} ms)`,
  ],
  ["  its slowest block (one that flushed, if any did)", fmt(slowestMs), "ms"],
  ["  validate + commit / bare SQL (goal ≥ 0.5, aim 0.7)", fmt(ratio, 2), "x"],
  [
    "  the same ratio in CPU time (ms per block: bare / commit)",
    fmt(cpuRatio, 2),
    `x (${fmt((sqlCpu * 1000) / BLOCKS)} / ${fmt((chainCpu * 1000) / BLOCKS)})`,
  ],
  [
    "  the block as a decoded object (REST JSON): validate + commit",
    fmt(figures.block_1000tx_object_validate_commit_per_s),
    `blocks/s (${fmt(figures.block_1000tx_object_validate_commit_per_s / figures.block_1000tx_bare_sql_per_s, 2)}x)`,
  ],
  [
    "  flushed at every block (the baseline's rows per block)",
    fmt(figures.block_1000tx_flush_every_block_per_s),
    `blocks/s (${fmt(figures.block_1000tx_flush_every_block_per_s / figures.block_1000tx_bare_sql_per_s, 2)}x)`,
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(8)} ${unit}`);
console.log(`load average (1, 5, 15 min): before ${loadBefore.join(", ")}; after ${loadAfter.join(", ")}`);
writeBenchResult(
  "commit",
  {
    blocks: BLOCKS,
    blockTxs: BLOCK_TXS,
    loadavg: { before: loadBefore, after: loadAfter },
    figures,
    ratio,
    cpuMsPerBlock: { bareSql: (sqlCpu * 1000) / BLOCKS, validateCommit: (chainCpu * 1000) / BLOCKS },
    cpuRatio,
    flush: { rows: flushed, ms: flushMs },
    slowestBlockMs: slowestMs,
  },
  [
    {
      figure: "1,000-tx block validate + commit",
      value: figures.block_1000tx_validate_commit_per_s,
      unit: "blocks/s",
      baseline: "bare SQL of the same rows",
      baselineValue: figures.block_1000tx_bare_sql_per_s,
      ratio,
      goal: 0.5,
      higherIsBetter: true,
    },
  ],
);
