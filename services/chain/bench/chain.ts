/**
 * Chain throughput next to baselines measured in the same run (DESIGN.md §7):
 *   - tx admission (the JSON body read as POST /txs reads it + rules + signature + mempool) vs
 *     raw node:crypto Ed25519 verify on one core (goal ≥ 0.7×): inline (one submission at a time, the verify on
 *     the event loop) and through the VerifyPool (250 submissions per turn, as concurrent clients
 *     send them: each turn awaited, and as a stream with up to 4 turns in flight, the headline),
 *     the latter also vs raw verify on every core (worker threads, no batching), and the same
 *     stream sent as codec bytes, as txs from peers reach the chain (no JSON, no schema);
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
import { type Block, encodeSignedTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { rawVerifyRate as rawVerifyRateOnThreads, VerifyPool } from "@p2pnode/crypto";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { transferFromBody, txFromJson } from "@p2pnode/rules";
import { SignedTransactionJson } from "@p2pnode/types";
import { Admission } from "../src/admission.js";
import type { Chain } from "../src/chain.js";
import { ChainIntake } from "../src/intake.js";
import { makeBlock, transfer } from "../test/helpers.js";
import { BLOCK_TXS, blockFixture, verifyBaseline } from "./block-fixture.js";
import { taskCpuMs } from "./thread-cpu.js";

const TXS = benchSetting("BENCH_TXS", 10_000, { min: 1 });
const BLOCKS = benchSetting("BENCH_BLOCKS", 8, { min: 1 });
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
/**
 * A JSON tx submitted as POST /txs reads its body (routes/txs.ts): a transfer in one pass (rules'
 * transferFromBody), anything else through the SignedTransactionJson schema.
 */
function submitAsRest(into: ChainIntake, json: unknown): Promise<unknown> {
  const stx = transferFromBody(json);
  return into.submitTx(stx ? (json as SignedTransactionJson) : SignedTransactionJson.parse(json), stx);
}
const decoded = admitJson.map((json) => txFromJson(json));

// The machine is shared: admission and the raw verify baseline run in alternating slices of
// 250 txs, so both see the same load and the ratio stays meaningful when the load changes.
const SLICE = 250;
/**
 * Inline, pooled turn by turn, and decoded admission, each on a chain of its own. In a function
 * so that its three chains and their 30,000 pooled txs are garbage before the streams below: a
 * node's heap holds its own pool, and every major collection during a stream would otherwise mark
 * these too (the heap before the streams, after a full collection: 103 MB with them, 42 without).
 */
async function turnByTurn() {
  const admitChain = chain();
  const intake = new ChainIntake({ chain: admitChain, metrics: undefined, events });
  const pooledChain = chain();
  const pooledIntake = new ChainIntake({ chain: pooledChain, metrics: undefined, events, verifier: pool });
  await submitAsRest(pooledIntake, admitJson[0]!); // threads started
  const coreChain = chain();
  let admitSeconds = 0;
  let pooledSeconds = 0;
  let coreSeconds = 0;
  let verifySeconds = 0;
  let t0 = 0;
  for (let i = 0; i < admitJson.length; i += SLICE) {
    const slice = admitJson.slice(i, i + SLICE);
    verifySeconds += slice.length / rawVerifyRate(slice.length, false);
    t0 = now();
    for (const json of slice) await submitAsRest(intake, json);
    admitSeconds += (now() - t0) / 1000;
    t0 = now();
    await Promise.all(slice.map((json, j) => (i + j === 0 ? undefined : submitAsRest(pooledIntake, json))));
    pooledSeconds += (now() - t0) / 1000;
    t0 = now();
    for (const stx of decoded.slice(i, i + SLICE)) coreChain.submitTx(stx);
    coreSeconds += (now() - t0) / 1000;
  }
  coreChain.store.close();
  if (admitChain.mempool.size !== admitJson.length) throw new TypeError("admission lost txs");
  if (pooledChain.mempool.size !== admitJson.length) throw new TypeError("pooled admission lost txs");
  admitChain.store.close();
  pooledChain.store.close();
  return {
    admission: admitJson.length / admitSeconds,
    admissionPooled: admitJson.length / pooledSeconds,
    admissionCore: admitJson.length / coreSeconds,
    verifyRaw: admitJson.length / verifySeconds,
  };
}
const { admission, admissionPooled, admissionCore, verifyRaw } = await turnByTurn();

/** The VerifyPool threads' CPU time in ms, summed; undefined where a thread's cannot be read. */
function verifyThreadsCpuMs(): number | undefined {
  const ids = pool.taskIds();
  if (ids.length === 0) return undefined;
  let sum = 0;
  for (const id of ids) {
    const ms = taskCpuMs(id);
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}

// --- pooled admission as a stream, against raw verify on every thread -------------------------
// Above, each turn's 250 submissions are awaited before the next arrive: the threads idle while
// the event loop parses a turn, and the event loop idles while they verify it. A node under
// sustained gossip or many REST clients gets its next arrivals while the last are verified: here
// a turn's 250 are parsed while up to STREAM_TURNS earlier turns are verified and committed. The
// raw verify on every thread runs in slices alternating with it, so both see the same load.
// The same stream is also sent as codec bytes, as txs from peers reach the chain (the gateway's
// NATS submit carries the bytes it received: no JSON, no schema), on a chain of its own, in chunks
// alternating with the JSON stream's.
const STREAM_TURNS = 4;
const STREAM_CHUNK = 2_000;
const streamChain = chain();
const streamIntake = new ChainIntake({ chain: streamChain, metrics: undefined, events, verifier: pool });
const bytesChain = chain();
const bytesIntake = new ChainIntake({ chain: bytesChain, metrics: undefined, events, verifier: pool });
const admitBytes = decoded.map((stx) => encodeSignedTransaction(stx));
const submitJson = (json: unknown) => submitAsRest(streamIntake, json);
const submitBytes = (bytes: Uint8Array) => bytesIntake.submitTxBytes(bytes);
async function streamAdmit<T>(items: readonly T[], submit: (item: T) => Promise<unknown>): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < items.length; i += SLICE) {
    const turn = items.slice(i, i + SLICE);
    inFlight.push(Promise.all(turn.map(submit)));
    if (inFlight.length >= STREAM_TURNS) await inFlight.shift();
    else await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
}
// Warm-up: the first chunk of each is not timed.
await streamAdmit(admitJson.slice(0, STREAM_CHUNK), submitJson);
await streamAdmit(admitBytes.slice(0, STREAM_CHUNK), submitBytes);
/**
 * Wall time and CPU summed over chunks: the whole process, and of it the main thread and the
 * verify threads; the rest is V8's helper threads (garbage collection, compilation) and libuv's.
 */
interface StreamTotals {
  seconds: number;
  cpuMicros: number;
  mainCpuMicros: number;
  verifyCpuMicros: number;
}
const jsonTotals: StreamTotals = { seconds: 0, cpuMicros: 0, mainCpuMicros: 0, verifyCpuMicros: 0 };
const bytesTotals: StreamTotals = { seconds: 0, cpuMicros: 0, mainCpuMicros: 0, verifyCpuMicros: 0 };
/** Streams one chunk through `submit` and adds what it took to `into`. */
async function timedStream<T>(
  items: readonly T[],
  submit: (item: T) => Promise<unknown>,
  into: StreamTotals,
): Promise<void> {
  const cpu = process.cpuUsage();
  const mainCpu = taskCpuMs("thread-self");
  const verifyCpu = verifyThreadsCpuMs();
  const started = now();
  await streamAdmit(items, submit);
  into.seconds += (now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  into.cpuMicros += used.user + used.system;
  into.mainCpuMicros += ((taskCpuMs("thread-self") ?? Number.NaN) - (mainCpu ?? Number.NaN)) * 1000;
  into.verifyCpuMicros += ((verifyThreadsCpuMs() ?? Number.NaN) - (verifyCpu ?? Number.NaN)) * 1000;
}
let rawThreadsOps = 0;
let rawThreadsSeconds = 0;
let rawSodiumOps = 0;
for (let i = STREAM_CHUNK; i < admitJson.length; i += STREAM_CHUNK) {
  const rate = await rawVerifyRateOnThreads(
    { publicKey: sample.publicKey, message, signature: sample.signature },
    threads,
    0.25,
  );
  rawThreadsOps += rate * 0.25;
  rawThreadsSeconds += 0.25;
  // verify()'s own engine raw, beside the issue's node:crypto baseline: what is left to gain.
  rawSodiumOps +=
    (await rawVerifyRateOnThreads(
      { publicKey: sample.publicKey, message, signature: sample.signature },
      threads,
      0.25,
      "libsodium",
    )) * 0.25;
  await timedStream(admitJson.slice(i, i + STREAM_CHUNK), submitJson, jsonTotals);
  await timedStream(admitBytes.slice(i, i + STREAM_CHUNK), submitBytes, bytesTotals);
}
const {
  seconds: streamSeconds,
  cpuMicros: streamCpuMicros,
  mainCpuMicros: streamMainCpuMicros,
  verifyCpuMicros: streamVerifyCpuMicros,
} = jsonTotals;
const { seconds: bytesSeconds, cpuMicros: bytesCpuMicros, mainCpuMicros: bytesMainCpuMicros } = bytesTotals;
if (streamChain.mempool.size !== admitJson.length) throw new TypeError("streamed admission lost txs");
if (bytesChain.mempool.size !== admitJson.length) throw new TypeError("streamed bytes admission lost txs");
streamChain.store.close();
bytesChain.store.close();
const streamed = admitJson.length - STREAM_CHUNK;
const admissionStream = streamed / streamSeconds;
const admissionBytesStream = streamed / bytesSeconds;
const verifyRawThreads = rawThreadsOps / rawThreadsSeconds;
const verifyRawSodiumThreads = rawSodiumOps / rawThreadsSeconds;

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
let t0 = now();
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
  ed25519_verify_raw_libsodium_all_threads_per_s: verifyRawSodiumThreads,
  tx_admission_per_s: admission,
  tx_admission_verify_pool_per_s: admissionPooled,
  tx_admission_verify_pool_stream_per_s: admissionStream,
  tx_admission_stream_cpu_us_per_tx: streamCpuMicros / streamed,
  tx_admission_stream_main_thread_cpu_us_per_tx: streamMainCpuMicros / streamed,
  tx_admission_stream_verify_threads_cpu_us_per_tx: streamVerifyCpuMicros / streamed,
  tx_admission_stream_other_threads_cpu_us_per_tx:
    (streamCpuMicros - streamMainCpuMicros - streamVerifyCpuMicros) / streamed,
  tx_admission_stream_cores_busy: streamCpuMicros / 1e6 / streamSeconds,
  tx_admission_bytes_stream_per_s: admissionBytesStream,
  tx_admission_bytes_stream_cpu_us_per_tx: bytesCpuMicros / streamed,
  tx_admission_bytes_stream_main_thread_cpu_us_per_tx: bytesMainCpuMicros / streamed,
  tx_admission_decoded_per_s: admissionCore,
  block_1000tx_connect_with_signatures_per_s: BLOCKS / coldSeconds,
  block_1000tx_connect_verify_pool_per_s: BLOCKS / pooledBlockSeconds,
};
const ratios = {
  admissionOverRawVerify: admission / verifyRaw,
  pooledAdmissionOverRawVerifyThreads: admissionPooled / verifyRawThreads,
  streamAdmissionOverRawVerifyThreads: admissionStream / verifyRawThreads,
  streamAdmissionOverRawLibsodiumThreads: admissionStream / verifyRawSodiumThreads,
  // What the stream would reach with every core busy at its CPU per tx: the ratio's ceiling on
  // this machine, whatever the scheduling (each chunk's pipeline fills and drains, so it runs below).
  streamCeilingOverRawVerifyThreads: (threads * 1e6) / (streamCpuMicros / streamed) / verifyRawThreads,
  bytesStreamAdmissionOverRawVerifyThreads: admissionBytesStream / verifyRawThreads,
  pooledAdmissionOverInline: admissionPooled / admission,
  decodedAdmissionOverRawVerify: admissionCore / verifyRaw,
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows: [string, string, string][] = [
  ["Ed25519 verify, raw node:crypto (key object cached)", fmt(verifyRaw), "/s"],
  ["Ed25519 verify, raw node:crypto (key from bytes)", fmt(verifyRawFromBytes), "/s"],
  [`Ed25519 verify, raw node:crypto, ${threads} threads (no batching)`, fmt(verifyRawThreads), "/s"],
  [
    `Ed25519 verify, raw libsodium, ${threads} threads (verify()'s engine)`,
    fmt(verifyRawSodiumThreads),
    "/s",
  ],
  ["tx admission, inline verify, one at a time", fmt(admission), "/s"],
  ["  admission / raw verify (goal ≥ 0.7, 1 core)", fmt(ratios.admissionOverRawVerify, 2), "x"],
  [`tx admission, VerifyPool (${threads} threads), 250 per turn, each awaited`, fmt(admissionPooled), "/s"],
  [
    `  pooled admission / raw verify on ${threads} threads`,
    fmt(ratios.pooledAdmissionOverRawVerifyThreads, 2),
    "x",
  ],
  [
    `tx admission, VerifyPool, a stream of 250 per turn (${STREAM_TURNS} turns in flight)`,
    fmt(admissionStream),
    "/s",
  ],
  [
    `  streamed admission / raw verify on ${threads} threads (goal ≥ 0.8)`,
    fmt(ratios.streamAdmissionOverRawVerifyThreads, 2),
    "x",
  ],
  [
    `  streamed admission / raw libsodium on ${threads} threads`,
    fmt(ratios.streamAdmissionOverRawLibsodiumThreads, 2),
    "x",
  ],
  ["  CPU per streamed tx, whole process", fmt(streamCpuMicros / streamed), "µs"],
  [
    `  cores busy while streaming (process CPU / wall), of ${threads}`,
    fmt(figures.tx_admission_stream_cores_busy, 2),
    "",
  ],
  [
    `  ceiling: ${threads} cores busy at this CPU per tx / raw verify on ${threads} threads`,
    fmt(ratios.streamCeilingOverRawVerifyThreads, 2),
    "x",
  ],
  [
    "  CPU per streamed tx, main thread",
    Number.isNaN(streamMainCpuMicros) ? "n/a" : fmt(streamMainCpuMicros / streamed),
    "µs",
  ],
  [
    `  CPU per streamed tx, the ${threads} verify threads`,
    Number.isNaN(streamVerifyCpuMicros) ? "n/a" : fmt(streamVerifyCpuMicros / streamed),
    "µs",
  ],
  [
    "  CPU per streamed tx, other threads (V8's garbage collector and compiler, libuv)",
    Number.isNaN(figures.tx_admission_stream_other_threads_cpu_us_per_tx)
      ? "n/a"
      : fmt(figures.tx_admission_stream_other_threads_cpu_us_per_tx),
    "µs",
  ],
  [
    "tx admission, the same stream as codec bytes (txs from peers, over NATS)",
    fmt(admissionBytesStream),
    "/s",
  ],
  [
    `  bytes stream / raw verify on ${threads} threads`,
    fmt(ratios.bytesStreamAdmissionOverRawVerifyThreads, 2),
    "x",
  ],
  ["  CPU per streamed tx (bytes), whole process", fmt(bytesCpuMicros / streamed), "µs"],
  [
    "  CPU per streamed tx (bytes), main thread",
    Number.isNaN(bytesMainCpuMicros) ? "n/a" : fmt(bytesMainCpuMicros / streamed),
    "µs",
  ],
  ["  pooled / inline admission", fmt(ratios.pooledAdmissionOverInline, 2), "x"],
  ["tx admission of decoded txs (no JSON body to read)", fmt(admissionCore), "/s"],
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
      value: admissionStream,
      unit: "tx/s",
      baseline: "raw node:crypto Ed25519 verify, every core",
      baselineValue: verifyRawThreads,
      ratio: ratios.streamAdmissionOverRawVerifyThreads,
      goal: 0.8,
      higherIsBetter: true,
    },
    // Beside the figure (the JSON stream above), not instead of it: the same stream as
    // codec bytes, as peers' txs reach the chain and as POST /txs/raw takes a wallet's.
    {
      figure: "tx admission (VerifyPool), codec bytes",
      value: admissionBytesStream,
      unit: "tx/s",
      baseline: "raw node:crypto Ed25519 verify, every core",
      baselineValue: verifyRawThreads,
      ratio: ratios.bytesStreamAdmissionOverRawVerifyThreads,
      goal: 0.8,
      higherIsBetter: true,
    },
  ],
);
