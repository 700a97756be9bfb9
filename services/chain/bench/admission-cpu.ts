/**
 * What admission costs the main thread, in CPU time (so it holds on a loaded machine, where the
 * throughput benches swing): txs go through `Admission` with a verifier that answers at once, so
 * only the event loop's own work is counted (prepare, the replay and mempool checks, the pool's
 * SQLite rows and its group commit). Baseline: the CPU of one raw node:crypto Ed25519 verify,
 * measured in alternating slices with the admission.
 *
 * Why it matters: on a machine whose every core verifies (the VerifyPool), the main thread's work
 * takes the same cores, so pooled admission reaches at most v / (v + m) of raw verify on every
 * core (v: a verify's CPU, m: the main thread's per tx). The 0.8× needs m ≤ 0.25 v.
 *   pnpm --filter @p2pnode/chain bench:admission-cpu      (BENCH_TXS to resize)
 */
import { verify as nodeVerify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { signedTransactionToJson } from "@p2pnode/codec";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { txFromJson } from "@p2pnode/rules";
import { Admission } from "../src/admission.js";
import { transfer } from "../test/helpers.js";
import { blockFixture, verifyBaseline } from "./block-fixture.js";

const TXS = benchSetting("BENCH_TXS", 10_000, { min: 1 });
const SLICE = 250;
const dir = mkdtempSync(join(tmpdir(), "p2pnode-admission-cpu-"));
const loadBefore = loadavg();
const { senders, recipient, chain } = blockFixture(dir);
const perSender = Math.ceil(TXS / senders.length);
const txs = senders
  .flatMap((w) =>
    Array.from({ length: perSender }, (_, n) =>
      txFromJson(signedTransactionToJson(transfer(w, recipient, 1n, n, 2n))),
    ),
  )
  .slice(0, TXS);

const { message, signature, key } = verifyBaseline(senders[0]!, recipient);
const cpuMicros = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return u.user + u.system;
};

const target = chain();
const admission = new Admission({ chain: target, verifier: { verify: async () => true } });
let verifyMicros = 0;
let admitMicros = 0;
for (let i = 0; i < txs.length; i += SLICE) {
  const slice = txs.slice(i, i + SLICE);
  let u = process.cpuUsage();
  for (let j = 0; j < slice.length; j++) {
    if (!nodeVerify(null, message, key, signature)) throw new TypeError("baseline signature failed");
  }
  verifyMicros += cpuMicros(u);
  u = process.cpuUsage();
  await Promise.all(slice.map((stx) => admission.submitTx(stx)));
  admitMicros += cpuMicros(u);
}
if (target.mempool.size !== txs.length) throw new TypeError(`admission lost txs: ${target.mempool.size}`);
target.store.close();
rmSync(dir, { recursive: true, force: true });

const main = admitMicros / txs.length;
const verify = verifyMicros / txs.length;
const bound = verify / (verify + main);
const loadAfter = loadavg();
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`);
console.log(`main-thread CPU per admitted tx     ${main.toFixed(1)} µs`);
console.log(`raw Ed25519 verify CPU per tx       ${verify.toFixed(1)} µs`);
console.log(`  main / verify (goal ≤ 0.25)       ${(main / verify).toFixed(2)} x`);
console.log(`  pooled admission can reach at most ${bound.toFixed(2)} x raw verify on every core`);
console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`);
writeBenchResult(
  "admission-cpu",
  {
    loadavg: { before: loadBefore, after: loadAfter },
    txs: txs.length,
    figures: { main_thread_cpu_us_per_tx: main, raw_verify_cpu_us_per_tx: verify, pooled_bound: bound },
  },
  [
    {
      figure: "admission, main-thread CPU per tx",
      value: main,
      unit: "µs",
      baseline: "one raw Ed25519 verify's CPU",
      baselineValue: verify,
      ratio: main / verify,
      goal: 0.25,
      higherIsBetter: false,
    },
  ],
);
