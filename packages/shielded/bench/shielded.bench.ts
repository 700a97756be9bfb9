/**
 * Wallet-side benchmark: scanning 100,000 shielded outputs with a viewing key (one X25519 per
 * spend — two outputs share its ephemeral key —, a one-byte view tag per output,
 * ChaCha20-Poly1305 only on tag matches) and syncing the
 * commitment tree, next to baselines measured in the same run: @noble's X25519 vs the native
 * one the scanner uses, and a scan that trial-decrypts every output (no view tag).
 * Prints a table and writes bench-results/shielded.json.
 * Env: BENCH_NOTES=100000 (outputs scanned), BENCH_TREE_LEAVES=100000, BENCH_POOL=1000
 * (distinct encrypted outputs, repeated to BENCH_NOTES; 1% are the wallet's).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import {
  addressOf,
  CommitmentTree,
  commitmentOf,
  encryptNote,
  ephemeralSecret,
  Frontier,
  type Note,
  nobleShared,
  randomSpendingKey,
  type ShieldedOutput,
  scanOutputs,
  viewingKeyOf,
  X25519Agreement,
} from "../src/index.js";

const notes = Number(process.env.BENCH_NOTES ?? 100_000);
const treeLeaves = Number(process.env.BENCH_TREE_LEAVES ?? 100_000);
const poolSize = Number(process.env.BENCH_POOL ?? 1000);

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const wallMs = performance.now() - t;
  const d = process.cpuUsage(c);
  return { value, wallMs, cpuMs: (d.user + d.system) / 1000 };
}
const perSec = (n: number, ms: number) => Math.round((n * 1000) / ms);

// --- fixture: a pool of real encrypted outputs, 1% of them to our wallet ---------------------
const sk = randomSpendingKey();
const vk = viewingKeyOf(sk);
const me = addressOf(sk);
const strangers = Array.from({ length: 16 }, () => addressOf(randomSpendingKey()));
let esk = ephemeralSecret();
const encrypt = timed(() =>
  Array.from({ length: poolSize }, (_, i): ShieldedOutput => {
    if (i % 2 === 0) esk = ephemeralSecret(); // a spend's two outputs share one ephemeral key
    const to = i % 100 === 0 ? me : strangers[i % strangers.length]!;
    const note: Note = { owner: to.pk, value: BigInt(i + 1), rho: [i, 1, 2, 3], r: [4, 5, 6, i] };
    const commitment = commitmentOf(note);
    return { commitment, note: encryptNote(note, to, esk, commitment) };
  }),
);
const pool = encrypt.value;
const outputs = Array.from({ length: notes }, (_, i) => pool[i % poolSize]!);

// --- baselines ------------------------------------------------------------------------------
const secret = vk.secret;
const peer = x25519.getPublicKey(x25519.utils.randomSecretKey());
const agreement = new X25519Agreement(secret);
agreement.shared(peer);
nobleShared(secret, peer);
const nobleX = timed(() => {
  for (let i = 0; i < 200; i++) nobleShared(secret, peer);
});
const nativeX = timed(() => {
  for (let i = 0; i < 5000; i++) agreement.shared(peer);
});
const key = new Uint8Array(32);
const ct = chacha20poly1305(key, new Uint8Array(12)).encrypt(new Uint8Array(41));
const aead = timed(() => {
  for (let i = 0; i < 5000; i++) chacha20poly1305(key, new Uint8Array(12)).decrypt(ct);
});
/** Without a view tag every output is decrypted (one X25519 per spend as well): sample and extrapolate. */
const sample = Math.min(5000, notes);
const noTag = timed(() => {
  let s: Uint8Array | undefined;
  for (let i = 0; i < sample; i++) {
    const e = outputs[i]!.note;
    if (i % 2 === 0) s = agreement.shared(e.epk);
    if (!s) continue;
    try {
      chacha20poly1305(key, new Uint8Array(12)).decrypt(e.ciphertext);
    } catch {
      // not ours: the authentication tag fails, as it would for every stranger's output
    }
  }
});

// --- the scan -------------------------------------------------------------------------------
scanOutputs(vk, outputs.slice(0, 2000)); // warm the JIT
const scan = timed(() => scanOutputs(vk, outputs));
const { stats } = scan.value;

// --- tree sync ------------------------------------------------------------------------------
const leaves = Array.from({ length: treeLeaves }, (_, i) => pool[i % poolSize]!.commitment);
const tree = new CommitmentTree();
const treeSync = timed(() => {
  for (const leaf of leaves) tree.append(leaf);
  return tree.root();
});
const frontierSync = timed(() => Frontier.empty().append(leaves).root());
const pathTime = timed(() => {
  for (let i = 0; i < 100; i++) tree.path((i * 7919) % treeLeaves);
});

const results = {
  machine: { cores: availableParallelism(), node: process.version },
  scan: {
    outputs: notes,
    wallMs: Math.round(scan.wallMs),
    cpuMs: Math.round(scan.cpuMs),
    outputsPerSec: perSec(notes, scan.cpuMs),
    found: stats.found,
    tagMatches: stats.tagMatches,
    decrypted: stats.decrypted,
    expectedFound: outputs.filter((_, i) => (i % poolSize) % 100 === 0).length,
    noViewTagEstimateMs: Math.round((noTag.cpuMs * notes) / sample),
    viewTagSpeedup: +((noTag.cpuMs * notes) / sample / scan.cpuMs).toFixed(2),
    goalMs: 10_000,
  },
  x25519: {
    noblePerSec: perSec(200, nobleX.cpuMs),
    nativePerSec: perSec(5000, nativeX.cpuMs),
    nativeOverNoble: +(perSec(5000, nativeX.cpuMs) / perSec(200, nobleX.cpuMs)).toFixed(1),
  },
  chacha20poly1305DecryptPerSec: perSec(5000, aead.cpuMs),
  encryptPerSec: perSec(poolSize, encrypt.cpuMs),
  tree: {
    leaves: treeLeaves,
    appendWallMs: Math.round(treeSync.wallMs),
    appendCpuMs: Math.round(treeSync.cpuMs),
    appendsPerSec: perSec(treeLeaves, treeSync.cpuMs),
    frontierCpuMs: Math.round(frontierSync.cpuMs),
    pathUs: Math.round((pathTime.cpuMs * 1000) / 100),
  },
};

console.log(
  `\nscan of ${notes} outputs: ${results.scan.wallMs} ms wall, ${results.scan.cpuMs} ms cpu (${results.scan.outputsPerSec}/s); found ${stats.found} of ${results.scan.expectedFound}; view tag matched ${stats.tagMatches}, decrypted ${stats.decrypted}; goal < 10000 ms`,
);
console.log(
  `  without view tags: ~${results.scan.noViewTagEstimateMs} ms cpu (view tag x${results.scan.viewTagSpeedup})`,
);
console.log(
  `  X25519: native ${results.x25519.nativePerSec}/s vs @noble ${results.x25519.noblePerSec}/s (x${results.x25519.nativeOverNoble}); ChaCha20-Poly1305 decrypt ${results.chacha20poly1305DecryptPerSec}/s; encrypt a note ${results.encryptPerSec}/s`,
);
console.log(
  `tree sync of ${treeLeaves} commitments: ${results.tree.appendWallMs} ms wall, ${results.tree.appendCpuMs} ms cpu (${results.tree.appendsPerSec}/s); frontier only ${results.tree.frontierCpuMs} ms cpu; a path ${results.tree.pathUs} µs`,
);
const dir = new URL("../bench-results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("shielded.json", dir), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${new URL("shielded.json", dir).pathname}`);
