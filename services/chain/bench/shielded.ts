/**
 * Block validation with shielded transactions, next to transfers in the same run:
 *   - a block of K shields (each a ZK spend proof verified in the consensus path, ~49 KB) vs a
 *     block of K transfers, both connected and committed (WAL, synchronous=FULL) on fresh nodes
 *     that never saw the txs (so every proof and signature is checked);
 *   - the wallet-side cost of one proof in the same run, for scale.
 *   pnpm --filter @p2pnode/chain bench:shielded    (BENCH_SHIELDED_TXS, BENCH_SHIELDED_REPS)
 * Prints a table and writes bench-results/chain-shielded.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSignedTransaction, type SignedTransaction } from "@p2pnode/codec";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { randomSpendingKey } from "@p2pnode/shielded";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { ChainStore } from "../src/store.js";
import { alice, bob, makeBlock, testGenesis, transfer } from "../test/helpers.js";
import { shield, treeOf } from "../test/shielded-helpers.js";

const K = benchSetting("BENCH_SHIELDED_TXS", 8, { min: 1 });
const REPS = benchSetting("BENCH_SHIELDED_REPS", 3, { min: 1 });
const dir = mkdtempSync(join(tmpdir(), "p2pnode-shielded-bench-"));
const genesis = testGenesis();
const now = () => performance.now();
let opened = 0;
const fresh = () =>
  new Chain(defaultChainOptions, { genesis, store: new ChainStore(join(dir, `c${opened++}.sqlite`)) });

// Wallet side: K shields of alice's (nonces 0..K-1), each proved for its own tx hash.
const base = fresh();
const tree = treeOf(base);
const sk = randomSpendingKey();
const proveMs: number[] = [];
const shields: SignedTransaction[] = [];
for (let i = 0; i < K; i++) {
  const t0 = now();
  shields.push(shield(alice, sk, 1000n + BigInt(i), i, tree).stx);
  proveMs.push(now() - t0);
}
base.store.close();
const transfers = Array.from({ length: K }, (_, i) => transfer(alice, bob, 1n, i));

/** Wall and CPU ms of validating and committing one block of `txs` on a fresh node (CPU: the loaded machine's fairer figure). */
function connectMs(txs: SignedTransaction[]): number {
  const chain = fresh();
  const block = makeBlock(chain, { txs });
  const t0 = now();
  const c0 = process.cpuUsage();
  chain.submitBlock(block);
  const ms = now() - t0;
  const cpu = process.cpuUsage(c0);
  cpuMs.push((cpu.user + cpu.system) / 1000);
  if (chain.tipBlock.height !== 1) throw new Error("block not connected");
  chain.store.close();
  return ms;
}
const cpuMs: number[] = [];

const shieldedMs: number[] = [];
const transferMs: number[] = [];
const shieldedCpu: number[] = [];
const transferCpu: number[] = [];
connectMs(shields); // warm-up
connectMs(transfers);
for (let r = 0; r < REPS; r++) {
  shieldedMs.push(connectMs(shields));
  shieldedCpu.push(cpuMs.at(-1)!);
  transferMs.push(connectMs(transfers));
  transferCpu.push(cpuMs.at(-1)!);
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sMs = median(shieldedMs);
const tMs = median(transferMs);
const bytes = shields.reduce((n, s) => n + encodeSignedTransaction(s).length, 0) / K;
const rows: [string, string, string][] = [
  ["shield tx proof (wallet side)", median(proveMs).toFixed(0), "ms"],
  ["shielded tx size", bytes.toFixed(0), "bytes"],
  [`block of ${K} shields: validate + commit`, sMs.toFixed(1), "ms"],
  ["shielded txs validated per second", ((K / sMs) * 1000).toFixed(1), "tx/s"],
  [`  same, CPU time`, median(shieldedCpu).toFixed(1), "ms"],
  [`block of ${K} transfers (baseline)`, tMs.toFixed(1), "ms"],
  [`  same, CPU time`, median(transferCpu).toFixed(1), "ms"],
  ["shielded / transfer block time", (sMs / tMs).toFixed(1), "×"],
  ["load average (1 min) at the end", loadavg()[0]!.toFixed(1), ""],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`shielded block validation — ${cpus()[0]?.model ?? "cpu"}, K=${K}, reps=${REPS}`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(10)} ${unit}`);
writeBenchResult("chain-shielded", {
  k: K,
  reps: REPS,
  proveMs,
  shieldedMs,
  transferMs,
  shieldedCpu,
  transferCpu,
  bytesPerTx: bytes,
});
