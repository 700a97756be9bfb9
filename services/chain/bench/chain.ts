/**
 * Chain throughput next to baselines measured in the same run (DESIGN.md §7):
 *   - tx admission (schema parse + decode + rules + signature + mempool) vs raw node:crypto
 *     Ed25519 verify on one core (goal ≥ 0.7×): inline (one submission at a time, the verify on
 *     the event loop) and through the VerifyPool (250 submissions per turn, as concurrent clients
 *     send them), the latter also vs raw verify on every core (worker threads, no batching);
 *   - a 1,000-tx block connected with every signature checked (none of its txs in the mempool),
 *     inline and through the VerifyPool.
 * The block commit with its txs already verified, against the bare SQL of the same rows, is
 * bench/commit.ts. `pnpm --filter @p2pnode/chain bench` runs both.
 *   pnpm --filter @p2pnode/chain bench:admission    (BENCH_TXS, BENCH_BLOCKS to resize)
 * Prints a table and writes bench-results/chain.json.
 */
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Block, signedTransactionToJson } from "@p2pnode/codec";
import { rawVerifyRate as rawVerifyRateOnThreads, VerifyPool } from "@p2pnode/crypto";
import { writeBenchResult } from "@p2pnode/kit/testing";
import { txFromJson } from "@p2pnode/rules";
import { SignedTransactionJson } from "@p2pnode/types";
import { Admission } from "../src/admission.js";
import type { Chain } from "../src/chain.js";
import { ChainIntake } from "../src/intake.js";
import { makeBlock, transfer } from "../test/helpers.js";
import { BLOCK_TXS, blockFixture, verifyBaseline } from "./block-fixture.js";

const TXS = Number(process.env.BENCH_TXS ?? 10_000);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 8);
const dir = mkdtempSync(join(tmpdir(), "p2pnode-chain-bench-"));
const now = () => performance.now();
const loadBefore = loadavg();
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);
const threads = availableParallelism();
const pool = new VerifyPool({ threads });

const { senders, recipient, chain } = blockFixture(dir);

// --- baseline: raw node:crypto verify of tx signing bytes, public key object cached ----------
const sample = verifyBaseline(senders[0]!, recipient);
const { message, spki, key: keyObject } = sample;
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
const events = { blockAccepted: () => undefined, txAccepted: () => undefined };
const admitChain = chain();
const intake = new ChainIntake({ chain: admitChain, metrics: undefined, events });
const pooledChain = chain();
const pooledIntake = new ChainIntake({ chain: pooledChain, metrics: undefined, events, verifier: pool });
await pooledIntake.submitTx(SignedTransactionJson.parse(admitJson[0]!)); // threads started

// The machine is shared: admission and the raw verify baseline run in alternating slices of
// 250 txs, so both see the same load and the ratio stays meaningful when the load changes.
const SLICE = 250;
const coreChain = chain();
const decoded = admitJson.map((json) => txFromJson(json));
let admitSeconds = 0;
let pooledSeconds = 0;
let coreSeconds = 0;
let verifySeconds = 0;
let t0 = 0;
for (let i = 0; i < admitJson.length; i += SLICE) {
  const slice = admitJson.slice(i, i + SLICE);
  verifySeconds += slice.length / rawVerifyRate(slice.length, false);
  t0 = now();
  for (const json of slice) await intake.submitTx(SignedTransactionJson.parse(json));
  admitSeconds += (now() - t0) / 1000;
  t0 = now();
  await Promise.all(
    slice.map((json, j) =>
      i + j === 0 ? undefined : pooledIntake.submitTx(SignedTransactionJson.parse(json)),
    ),
  );
  pooledSeconds += (now() - t0) / 1000;
  t0 = now();
  for (const stx of decoded.slice(i, i + SLICE)) coreChain.submitTx(stx);
  coreSeconds += (now() - t0) / 1000;
}
coreChain.store.close();
const admission = admitJson.length / admitSeconds;
const admissionPooled = admitJson.length / pooledSeconds;
const admissionCore = admitJson.length / coreSeconds;
const verifyRaw = admitJson.length / verifySeconds;
if (admitChain.mempool.size !== admitJson.length) throw new TypeError("admission lost txs");
if (pooledChain.mempool.size !== admitJson.length) throw new TypeError("pooled admission lost txs");
admitChain.store.close();
pooledChain.store.close();
const verifyRawThreads = await rawVerifyRateOnThreads(
  { publicKey: sample.publicKey, message, signature: sample.signature },
  threads,
  1,
);

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

const viaPool = chain();
const admission2 = new Admission({ chain: viaPool, verifier: pool });
t0 = now();
for (const b of blocks) await admission2.submitBlock(b);
const pooledBlockSeconds = (now() - t0) / 1000;
viaPool.store.close();
await pool.close();

rmSync(dir, { recursive: true, force: true });

// --- report ----------------------------------------------------------------------------------
const figures = {
  ed25519_verify_raw_per_s: verifyRaw,
  ed25519_verify_raw_key_from_bytes_per_s: verifyRawFromBytes,
  ed25519_verify_raw_all_threads_per_s: verifyRawThreads,
  tx_admission_per_s: admission,
  tx_admission_verify_pool_per_s: admissionPooled,
  tx_admission_decoded_per_s: admissionCore,
  block_1000tx_connect_with_signatures_per_s: BLOCKS / coldSeconds,
  block_1000tx_connect_verify_pool_per_s: BLOCKS / pooledBlockSeconds,
};
const ratios = {
  admissionOverRawVerify: admission / verifyRaw,
  pooledAdmissionOverRawVerifyThreads: admissionPooled / verifyRawThreads,
  pooledAdmissionOverInline: admissionPooled / admission,
  decodedAdmissionOverRawVerify: admissionCore / verifyRaw,
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: [string, string, string][] = [
  ["Ed25519 verify, raw node:crypto (key object cached)", fmt(verifyRaw), "/s"],
  ["Ed25519 verify, raw node:crypto (key from bytes)", fmt(verifyRawFromBytes), "/s"],
  [`Ed25519 verify, raw node:crypto, ${threads} threads (no batching)`, fmt(verifyRawThreads), "/s"],
  ["tx admission, inline verify, one at a time", fmt(admission), "/s"],
  ["  admission / raw verify (goal ≥ 0.7, 1 core)", fmt(ratios.admissionOverRawVerify, 2), "x"],
  [`tx admission, VerifyPool (${threads} threads), 250 per turn`, fmt(admissionPooled), "/s"],
  [
    `  pooled admission / raw verify on ${threads} threads`,
    fmt(ratios.pooledAdmissionOverRawVerifyThreads, 2),
    "x",
  ],
  ["  pooled / inline admission", fmt(ratios.pooledAdmissionOverInline, 2), "x"],
  ["tx admission of decoded txs (no JSON schema parse)", fmt(admissionCore), "/s"],
  ["  decoded admission / raw verify", fmt(ratios.decodedAdmissionOverRawVerify, 2), "x"],
  [
    "1,000-tx block: verify + validate + commit",
    fmt(figures.block_1000tx_connect_with_signatures_per_s, 1),
    "blocks/s",
  ],
  [
    `1,000-tx block: VerifyPool verify + validate + commit`,
    fmt(figures.block_1000tx_connect_verify_pool_per_s, 1),
    "blocks/s",
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${"figure".padEnd(width)}  ${"value".padStart(12)}`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(12)} ${unit}`);
const loadAfter = loadavg();
console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`);
writeBenchResult(
  "chain",
  {
    threads,
    loadavg: { before: loadBefore, after: loadAfter },
    txs: admitJson.length,
    blocks: BLOCKS,
    blockTxs: BLOCK_TXS,
    figures,
    ratios,
  },
  [
    {
      figure: "tx admission (VerifyPool)",
      value: admissionPooled,
      unit: "tx/s",
      baseline: "raw Ed25519 verify, every core",
      baselineValue: verifyRawThreads,
      ratio: ratios.pooledAdmissionOverRawVerifyThreads,
      goal: 0.8,
      higherIsBetter: true,
    },
  ],
);
