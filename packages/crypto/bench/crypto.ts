/**
 * Raw crypto rates on this machine, the baselines other benchmarks compare against
 * (tx admission vs verify/s, miner hashrate vs header hashes/s). Short runs: the machine is
 * shared. Prints a table and writes bench-results/crypto.json.
 *   pnpm --filter @p2pnode/crypto bench        (BENCH_SECONDS=1 per figure by default)
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  decodeSignedTransaction,
  encodeHeader,
  encodeSignedTransaction,
  HEADER_SIZE,
  NONCE_OFFSET,
} from "@p2pnode/codec";
import {
  accountFromSeed,
  ed25519Engine,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  rawVerifyRate,
  type SignedMessage,
  sha256,
  signRaw,
  signTransaction,
  VerifyPool,
  verify,
  verifyLibsodium,
  verifyOpenSsl,
  verifyTransaction,
} from "../src/index.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const loadBefore = loadavg();
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);

/** Runs `fn` in batches until `seconds` have passed; returns operations per second. */
function rate(fn: (i: number) => unknown, batch = 100): number {
  for (let i = 0; i < batch; i++) fn(i); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn(ops + i);
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

// A 1,000-tx block's ids, and its Merkle root with one node:crypto call per leaf and node (how
// merkleRoot hashed before its levels were hashed in place by sha256Short): the baseline.
const txIds = Array.from({ length: 1000 }, (_, i) => sha256(Uint8Array.of(i & 0xff, i >> 8)));
function rootByNodeCrypto(leaves: Uint8Array[]): Uint8Array {
  let level = leaves.map(merkleLeafHash);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
if (Buffer.compare(merkleRoot(txIds), rootByNodeCrypto(txIds)) !== 0) throw new Error("Merkle roots differ");

const account = accountFromSeed(new Uint8Array(64).fill(7), 0);
const messages = Array.from({ length: 64 }, (_, i) => new TextEncoder().encode(`bench message ${i}`));
const signatures = messages.map((m) => signRaw(account, m));
const secret = new Uint8Array(32).fill(9);
const noblePub = ed25519.getPublicKey(secret);
const nobleSigs = messages.map((m) => ed25519.sign(m, secret));
const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;

const stx = signTransaction(
  {
    kind: "transfer",
    from: account.publicKey,
    to: new Uint8Array(20).fill(1),
    amount: 1000n,
    fee: 1n,
    nonce: 0,
    memo: new Uint8Array(),
  },
  "bench",
  account,
);
const stxBytes = encodeSignedTransaction(stx);

const header = encodeHeader({
  version: 1,
  height: 1,
  prevHash: new Uint8Array(32),
  txRoot: new Uint8Array(32),
  stateRoot: new Uint8Array(32),
  timestamp: Date.now(),
  target: new Uint8Array(32).fill(0xff),
  miner: account.address,
  nonce: 0n,
});
const view = new DataView(header.buffer);
// The miner's trick: bytes before the nonce's 64-byte block are hashed once (a midstate).
const midstate = createHash("sha256").update(header.subarray(0, 128));
const tail = header.subarray(128);

const figures = {
  ed25519_verify_node_per_s: rate((i) => verify(pick(signatures, i), pick(messages, i), account.publicKey)),
  ed25519_verify_openssl_raw_per_s: rate((i) =>
    verifyOpenSsl(pick(signatures, i), pick(messages, i), account.publicKey),
  ),
  ed25519_verify_libsodium_raw_per_s: rate((i) =>
    verifyLibsodium(pick(signatures, i), pick(messages, i), account.publicKey),
  ),
  ed25519_verify_noble_per_s: rate(
    (i) => ed25519.verify(pick(nobleSigs, i), pick(messages, i), noblePub),
    10,
  ),
  ed25519_sign_node_per_s: rate((i) => signRaw(account, pick(messages, i))),
  tx_decode_verify_per_s: rate(() => verifyTransaction(decodeSignedTransaction(stxBytes), "bench")),
  sha256_header_per_s: rate((i) => {
    view.setUint32(NONCE_OFFSET + 4, i);
    return createHash("sha256").update(header).digest();
  }, 1000),
  sha256_header_midstate_per_s: rate((i) => {
    view.setUint32(NONCE_OFFSET + 4, i);
    return midstate.copy().update(tail).digest();
  }, 1000),
  merkle_root_1000_per_s: rate(() => merkleRoot(txIds), 1),
  merkle_root_1000_node_crypto_per_s: rate(() => rootByNodeCrypto(txIds), 1),
};

// --- verify on threads: the raw ceiling (node:crypto in a loop per thread) and the VerifyPool --
const threads = availableParallelism();
const txSample: SignedMessage = (() => {
  const message = new TextEncoder().encode("t".repeat(120)); // about a transfer's signed bytes
  return { publicKey: account.publicKey, message, signature: signRaw(account, message) };
})();
const items: SignedMessage[] = messages.map((message, i) => ({
  publicKey: account.publicKey,
  message,
  signature: signatures[i]!,
}));

/** Pool verifies per second: `lanes` callers each submitting 1,024 items per turn and awaiting them. */
async function poolRate(pool: VerifyPool, lanes = 4): Promise<number> {
  const batch = Array.from({ length: 1024 }, (_, i) => items[i % items.length]!);
  await pool.verifyAll(batch); // threads started and warm
  let done = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  const lane = async () => {
    while (performance.now() < until) {
      const verdicts = await pool.verifyAll(batch);
      if (!verdicts.every(Boolean)) throw new TypeError("pool: a sample signature failed");
      done += batch.length;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return done / ((performance.now() - start) / 1000);
}

/**
 * The process's CPU per verify when batches of `size` come with the pool idle in between, as a
 * few REST requests a turn do: each batch wakes a sleeping thread, and its reply wakes the event
 * loop. Against the CPU of one raw verify, this is what a wake-up costs on this machine.
 */
async function trickleCpuMicros(pool: VerifyPool, size: number, batches: number): Promise<number> {
  const batch = items.slice(0, size);
  await pool.verifyAll(batch); // threads started
  const before = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    if (!(await pool.verifyAll(batch)).every(Boolean)) throw new TypeError("pool: a sample signature failed");
    await new Promise((r) => setTimeout(r, 1)); // idle: the thread goes back to sleep
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (batches * size);
}

const rawOneThread = await rawVerifyRate(txSample, 1, seconds);
const rawThreads = await rawVerifyRate(txSample, threads, seconds);
const rawSodiumThreads = await rawVerifyRate(txSample, threads, seconds, "libsodium");
const pool = new VerifyPool({ threads });
const pooled = await poolRate(pool);
const trickle5 = await trickleCpuMicros(pool, 5, 400);
await pool.close();
// The pool runs verify()'s engine: its wake-ups are what it costs above that engine's raw verify.
const rawSodiumOneThread = await rawVerifyRate(txSample, 1, seconds, "libsodium");
const rawCpuMicros = 1e6 / (ed25519Engine === "libsodium" ? rawSodiumOneThread : rawOneThread);
const threadFigures = {
  ed25519_verify_raw_1_thread_per_s: rawOneThread,
  ed25519_verify_raw_all_threads_per_s: rawThreads,
  ed25519_verify_raw_libsodium_1_thread_per_s: rawSodiumOneThread,
  ed25519_verify_raw_libsodium_all_threads_per_s: rawSodiumThreads,
  verify_pool_per_s: pooled,
  verify_pool_trickle_5_cpu_us_per_verify: trickle5,
};
const loadAfter = loadavg();

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const rows: [string, string, string][] = [
  [`Ed25519 verify, verify() (pre-checks + ${ed25519Engine})`, fmt(figures.ed25519_verify_node_per_s), "/s"],
  ["Ed25519 verify, OpenSSL alone (node:crypto)", fmt(figures.ed25519_verify_openssl_raw_per_s), "/s"],
  ["Ed25519 verify, libsodium alone (sodium-native)", fmt(figures.ed25519_verify_libsodium_raw_per_s), "/s"],
  [
    "  libsodium / OpenSSL",
    (figures.ed25519_verify_libsodium_raw_per_s / figures.ed25519_verify_openssl_raw_per_s).toFixed(2),
    "x",
  ],
  ["Ed25519 verify, @noble/curves", fmt(figures.ed25519_verify_noble_per_s), "/s"],
  [
    "  verify() / noble",
    (figures.ed25519_verify_node_per_s / figures.ed25519_verify_noble_per_s).toFixed(1),
    "x",
  ],
  ["Ed25519 sign, node:crypto", fmt(figures.ed25519_sign_node_per_s), "/s"],
  ["transfer decode + verifyTransaction", fmt(figures.tx_decode_verify_per_s), "/s"],
  [`SHA-256 of a ${HEADER_SIZE}-byte header`, fmt(figures.sha256_header_per_s), "/s"],
  ["SHA-256 of a header from a midstate", fmt(figures.sha256_header_midstate_per_s), "/s"],
  ["Merkle root of 1,000 tx ids (levels hashed in place)", fmt(figures.merkle_root_1000_per_s), "/s"],
  [
    "  the same, one node:crypto call per hash (baseline)",
    fmt(figures.merkle_root_1000_node_crypto_per_s),
    "/s",
  ],
  [
    "  in place / node:crypto per hash",
    (figures.merkle_root_1000_per_s / figures.merkle_root_1000_node_crypto_per_s).toFixed(2),
    "x",
  ],
  ["Ed25519 verify, raw node:crypto, 1 thread", fmt(rawOneThread), "/s"],
  [`Ed25519 verify, raw node:crypto, ${threads} threads (ceiling)`, fmt(rawThreads), "/s"],
  [`Ed25519 verify, raw libsodium, ${threads} threads`, fmt(rawSodiumThreads), "/s"],
  [`VerifyPool, ${threads} threads (1,024-item turns)`, fmt(pooled), "/s"],
  [`  pool / raw ${threads} threads`, (pooled / rawThreads).toFixed(2), "x"],
  [`  pool / raw 1 thread`, (pooled / rawOneThread).toFixed(2), "x"],
  [
    `raw ${ed25519Engine} verify (verify()'s engine), CPU per verify (1 thread)`,
    rawCpuMicros.toFixed(0),
    "µs",
  ],
  ["VerifyPool, batches of 5 with the pool idle between: process CPU per verify", trickle5.toFixed(0), "µs"],
  [
    "  above raw verify, per batch of 5 (wake-ups, messages)",
    ((trickle5 - rawCpuMicros) * 5).toFixed(0),
    "µs",
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${"figure".padEnd(width)}  ${"value".padStart(12)}`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(12)} ${unit}`);
console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`);

mkdirSync("bench-results", { recursive: true });
const out = {
  when: new Date().toISOString(),
  node: process.versions.node,
  openssl: process.versions.openssl,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  secondsPerFigure: seconds,
  threads,
  loadavg: { before: loadBefore, after: loadAfter },
  figures: { ...figures, ...threadFigures },
  ratios: {
    nodeOverNobleVerify: figures.ed25519_verify_node_per_s / figures.ed25519_verify_noble_per_s,
    libsodiumOverOpenSsl:
      figures.ed25519_verify_libsodium_raw_per_s / figures.ed25519_verify_openssl_raw_per_s,
    poolOverRawThreads: pooled / rawThreads,
    poolOverRawOneThread: pooled / rawOneThread,
  },
};
writeFileSync("bench-results/crypto.json", `${JSON.stringify(out, null, 2)}\n`);
console.log("wrote bench-results/crypto.json");
