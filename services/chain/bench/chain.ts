/**
 * Chain throughput next to baselines measured in the same run (DESIGN.md §7):
 *   - tx admission (schema parse + decode + rules + signature + mempool) vs raw node:crypto
 *     Ed25519 verify on one core (goal ≥ 0.7×);
 *   - 1,000-tx block connect + SQLite commit (WAL, synchronous=FULL), with and without the
 *     signature checks, vs the bare SQL of a block in one transaction.
 *   pnpm --filter @p2pnode/chain bench    (BENCH_TXS, BENCH_BLOCKS to resize)
 * Prints a table and writes bench-results/chain.json.
 */
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type Block, encodeTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { SIGNING_DOMAINS, signingBytes } from "@p2pnode/crypto";
import { inTransaction, openDatabase } from "@p2pnode/kit";
import { txFromJson } from "@p2pnode/rules";
import { type Genesis, SignedTransactionJson } from "@p2pnode/types";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { ChainIntake } from "../src/intake.js";
import { ChainStore } from "../src/store.js";
import { BLOCK_TIME, CHAIN_ID, makeBlock, transfer, type Wallet, wallet } from "../test/helpers.js";

const TXS = Number(process.env.BENCH_TXS ?? 10_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 8);
const BLOCK_TXS = 1_000;
const dir = mkdtempSync(join(tmpdir(), "p2pnode-chain-bench-"));
const now = () => performance.now();

const senders: Wallet[] = Array.from({ length: BLOCK_TXS }, (_, i) => wallet(1000 + i));
const recipient = wallet(5);
const genesis: Genesis = {
  chainId: CHAIN_ID,
  timestamp: Date.now() - 86_400_000,
  allocations: senders.map((w) => ({ address: w.hex, balance: "1000000000" })),
  consensus: {
    targetBlockTimeMs: BLOCK_TIME,
    initialTarget: "ff".repeat(32),
    retargetWindow: 100_000,
    blockReward: "50",
  },
  validators: [],
};
let opened = 0;
function chain(): Chain {
  const store = new ChainStore(join(dir, `chain-${opened++}.sqlite`));
  const mempool = {
    ...defaultChainOptions.mempool,
    maxTxs: 1_000_000,
    maxBytes: 1 << 30,
    maxPerSender: 1_000,
  };
  return new Chain({ ...defaultChainOptions, mempool }, { genesis, store });
}

// --- baseline: raw node:crypto verify of tx signing bytes, public key object cached ----------
const sample = transfer(senders[0]!, recipient, 1n, 0);
const message = signingBytes(SIGNING_DOMAINS.tx, CHAIN_ID, encodeTransaction(sample.tx));
const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), senders[0]!.key.publicKey]);
const keyObject = createPublicKey({ key: spki, format: "der", type: "spki" });
function rawVerifyRate(n: number, fromBytes: boolean): number {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const key = fromBytes ? createPublicKey({ key: spki, format: "der", type: "spki" }) : keyObject;
    if (!nodeVerify(null, message, key, sample.signature)) throw new TypeError("baseline signature failed");
  }
  return n / ((now() - t0) / 1000);
}
rawVerifyRate(500, false);
const verifyRawFromBytes = rawVerifyRate(Math.min(TXS, 2_000), true);

// --- tx admission: what the NATS/REST edge does per tx, minus the transport -------------------
const perSender = Math.ceil(TXS / senders.length);
const admitJson = senders
  .flatMap((w) =>
    Array.from({ length: perSender }, (_, n) => signedTransactionToJson(transfer(w, recipient, 1n, n, 2n))),
  )
  .slice(0, TXS);
const admitChain = chain();
const intake = new ChainIntake({
  chain: admitChain,
  metrics: undefined,
  events: { blockAccepted: () => undefined, txAccepted: () => undefined },
});
// The machine is shared: admission and the raw verify baseline run in alternating slices of
// 250 txs, so both see the same load and the ratio stays meaningful when the load changes.
const SLICE = 250;
const coreChain = chain();
const decoded = admitJson.map((json) => txFromJson(json));
let admitSeconds = 0;
let coreSeconds = 0;
let verifySeconds = 0;
let t0 = 0;
for (let i = 0; i < admitJson.length; i += SLICE) {
  const slice = admitJson.slice(i, i + SLICE);
  verifySeconds += slice.length / rawVerifyRate(slice.length, false);
  t0 = now();
  for (const json of slice) intake.submitTx(SignedTransactionJson.parse(json));
  admitSeconds += (now() - t0) / 1000;
  t0 = now();
  for (const stx of decoded.slice(i, i + SLICE)) coreChain.submitTx(stx);
  coreSeconds += (now() - t0) / 1000;
}
coreChain.store.close();
const admission = admitJson.length / admitSeconds;
const admissionCore = admitJson.length / coreSeconds;
const verifyRaw = admitJson.length / verifySeconds;
if (admitChain.mempool.size !== admitJson.length) throw new TypeError("admission lost txs");
admitChain.store.close();

// --- 1,000-tx blocks -------------------------------------------------------------------------
function blocksOn(c: Chain): Block[] {
  const out: Block[] = [];
  const maker = chain();
  for (let b = 0; b < BLOCKS; b++) {
    const block = makeBlock(maker, { txs: senders.map((w) => transfer(w, recipient, 1n, b, 1n)) });
    maker.submitBlock(block);
    out.push(block);
  }
  maker.store.close();
  void c;
  return out;
}
const cold = chain();
const blocks = blocksOn(cold);
t0 = now();
for (const b of blocks) cold.submitBlock(b);
const coldSeconds = (now() - t0) / 1000;
cold.store.close();

const warm = chain();
let warmSeconds = 0;
for (const b of blocks) {
  for (const stx of b.txs) warm.submitTx(stx); // their signatures are checked here, untimed
  t0 = now();
  warm.submitBlock(b);
  warmSeconds += (now() - t0) / 1000;
}
warm.store.close();

// --- baseline: the bare SQL of a block in one BEGIN IMMEDIATE transaction ----------------------
const db = openDatabase(join(dir, "raw.sqlite"), [
  (d) =>
    d.exec(`CREATE TABLE b (id INTEGER PRIMARY KEY, hash BLOB UNIQUE, body BLOB);
            CREATE TABLE t (id BLOB PRIMARY KEY, h INTEGER, i INTEGER) WITHOUT ROWID;
            CREATE TABLE a (address BLOB PRIMARY KEY, balance TEXT, nonce INTEGER) WITHOUT ROWID;`),
]);
const insB = db.prepare("INSERT INTO b (hash, body) VALUES (?, ?)");
const insT = db.prepare("INSERT INTO t (id, h, i) VALUES (?, ?, ?)");
const upA = db.prepare(
  "INSERT INTO a VALUES (?, ?, ?) ON CONFLICT (address) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce",
);
const body = new Uint8Array(BLOCK_TXS * 190);
t0 = now();
for (let b = 0; b < BLOCKS; b++) {
  inTransaction(db, () => {
    insB.run(Buffer.from(`block-${b}`), body);
    for (let i = 0; i < BLOCK_TXS; i++) {
      insT.run(Buffer.from(`tx-${b}-${i}`), b, i);
      upA.run(senders[i]!.address, "999", b + 1);
    }
    upA.run(recipient.address, String(b), 0);
  });
}
const rawSqlSeconds = (now() - t0) / 1000;
db.close();
rmSync(dir, { recursive: true, force: true });

// --- report ----------------------------------------------------------------------------------
const figures = {
  ed25519_verify_raw_per_s: verifyRaw,
  ed25519_verify_raw_key_from_bytes_per_s: verifyRawFromBytes,
  tx_admission_per_s: admission,
  tx_admission_decoded_per_s: admissionCore,
  block_1000tx_connect_with_signatures_per_s: BLOCKS / coldSeconds,
  block_1000tx_connect_mempool_verified_per_s: BLOCKS / warmSeconds,
  block_1000tx_bare_sql_commit_per_s: BLOCKS / rawSqlSeconds,
};
const ratios = {
  admissionOverRawVerify: admission / verifyRaw,
  decodedAdmissionOverRawVerify: admissionCore / verifyRaw,
  connectVerifiedOverBareSql:
    figures.block_1000tx_connect_mempool_verified_per_s / figures.block_1000tx_bare_sql_commit_per_s,
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: [string, string, string][] = [
  ["Ed25519 verify, raw node:crypto (key object cached)", fmt(verifyRaw), "/s"],
  ["Ed25519 verify, raw node:crypto (key from bytes)", fmt(verifyRawFromBytes), "/s"],
  ["tx admission (parse, rules, verify, mempool)", fmt(admission), "/s"],
  ["  admission / raw verify (goal ≥ 0.7, 1 core)", fmt(ratios.admissionOverRawVerify, 2), "x"],
  ["tx admission of decoded txs (no JSON schema parse)", fmt(admissionCore), "/s"],
  ["  decoded admission / raw verify", fmt(ratios.decodedAdmissionOverRawVerify, 2), "x"],
  [
    "1,000-tx block: verify + validate + commit",
    fmt(figures.block_1000tx_connect_with_signatures_per_s, 1),
    "blocks/s",
  ],
  [
    "1,000-tx block: validate + commit (txs from mempool)",
    fmt(figures.block_1000tx_connect_mempool_verified_per_s, 1),
    "blocks/s",
  ],
  [
    "1,000-tx block: bare SQL in one transaction (baseline)",
    fmt(figures.block_1000tx_bare_sql_commit_per_s, 1),
    "blocks/s",
  ],
  ["  validate + commit / bare SQL", fmt(ratios.connectVerifiedOverBareSql, 2), "x"],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${"figure".padEnd(width)}  ${"value".padStart(12)}`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(12)} ${unit}`);
mkdirSync("bench-results", { recursive: true });
const out = {
  when: new Date().toISOString(),
  node: process.versions.node,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  threads: 1,
  txs: admitJson.length,
  blocks: BLOCKS,
  blockTxs: BLOCK_TXS,
  figures,
  ratios,
};
writeFileSync("bench-results/chain.json", `${JSON.stringify(out, null, 2)}\n`);
console.log("wrote bench-results/chain.json");
