/**
 * Dolev-Strong, measured next to its own bound and to raw signature verification (DESIGN.md §7):
 *   - time from slot start to decision and to finality (certificate formed) at every validator,
 *     for n = 4, 7, 16 with f = ⌊(n−1)/3⌋, all online and with f validators offline, against the
 *     protocol's bound (f + 1)·Δ measured in the same run. All validators run in this process on
 *     real timers; the network between them is simulated (a uniform one-way delay up to
 *     BENCH_DELAY_MS); signatures are real Ed25519, checked with crypto's verify;
 *   - certificate bytes per n (f + 1 signers, and all n);
 *   - certificate verification (signatures/s) vs raw node:crypto Ed25519 verify;
 *   - the simulation tier's cost: CPU time per seeded run (test/sim), and so of its 10,010 runs.
 *   pnpm --filter @p2pnode/chain bench:consensus
 *     (BENCH_DELTA_MS, BENCH_DELAY_MS, BENCH_SLOTS, BENCH_SIM_RUNS)
 * Prints a table and writes bench-results/consensus.json.
 */
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { encodeBlock, encodeCertificate, HEADER_VERSION, maskOf, splitBlock } from "@p2pnode/codec";
import { headerHash, signingKeyFromSeed, signRaw, signVote, txRoot, voteSigningBytes } from "@p2pnode/crypto";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import {
  DolevStrong,
  defaultDolevStrongOptions,
  slotStart,
  type ValidatorSet,
  verifyCertificate,
} from "../src/consensus/index.js";
import { runScenario } from "../test/sim/scenario.js";

const DELTA = benchSetting("BENCH_DELTA_MS", 100, { min: 1 });
const MAX_DELAY = benchSetting("BENCH_DELAY_MS", 10, { min: 0 });
const SLOTS = benchSetting("BENCH_SLOTS", 8, { min: 1 });
const SIZES = [4, 7, 16];
const SIM_RUNS = benchSetting("BENCH_SIM_RUNS", 2_000, { min: 1 });
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An empty block of `slot` by `proposer`: header hashing and block framing as the chain does it. */
function block(slot: number, proposer: number): Uint8Array {
  const miner = new Uint8Array(20).fill(proposer);
  return encodeBlock({
    header: {
      version: HEADER_VERSION,
      height: slot,
      prevHash: new Uint8Array(32),
      txRoot: txRoot([]),
      stateRoot: new Uint8Array(32),
      timestamp: Date.now(),
      target: new Uint8Array(32).fill(0xff),
      miner,
      nonce: 0n,
    },
    txs: [],
  });
}

interface SlotTimes {
  decidedMs: number[];
  finalMs: number[];
  bottoms: number;
}

/** Runs SLOTS slots of n validators on real time; validators 1 … `offline` never start (they lead slots 1 … offline). */
async function runNetwork(n: number, f: number, offline: number): Promise<SlotTimes> {
  const keys = Array.from({ length: n }, (_, i) => signingKeyFromSeed(new Uint8Array(32).fill(i + 1)));
  const slotMs = (f + 2) * DELTA + DELTA;
  const set: ValidatorSet = {
    chainId: "bench-net",
    keys: keys.map((k) => k.publicKey),
    f,
    roundMs: DELTA,
    slotMs,
    genesisTime: Math.floor(now()) - slotMs + 50, // slot 1 starts in 50 ms
  };
  const times: SlotTimes = { decidedMs: [], finalMs: [], bottoms: 0 };
  const nodes = new Map<number, DolevStrong>();
  const up = [...Array(n).keys()].filter((i) => i < 1 || i > offline);
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  for (const i of up) {
    const ds: DolevStrong = new DolevStrong(
      { ...defaultDolevStrongOptions, set },
      {
        clock: { now },
        signer: { index: i, sign: (m) => signRaw(keys[i]!, m) },
        blocks: { build: (slot) => block(slot, i), hash: (b) => headerHash(splitBlock(b).header) },
        network: {
          broadcast: (bytes) => {
            for (const j of up) {
              if (j !== i)
                later(1 + Math.random() * (MAX_DELAY - 1), () => nodes.get(j)!.receive(bytes, `v${i}`));
            }
          },
        },
        events: {
          decided: (d) => {
            if (d.blockHash === null) times.bottoms++;
            else times.decidedMs.push(d.at - slotStart(set, d.slot));
          },
          finalized: (x) => times.finalMs.push(x.at - slotStart(set, x.slot)),
        },
      },
    );
    nodes.set(i, ds);
    const tick = () => {
      ds.tick();
      if (ds.nextWakeAt() <= slotStart(set, SLOTS + 1)) later(Math.max(0, ds.nextWakeAt() - now()), tick);
    };
    tick();
  }
  await sleep(slotStart(set, SLOTS + 1) - now() + 20);
  for (const t of timers) clearTimeout(t);
  return times;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Signatures per second through verifyCertificate vs raw node:crypto verify, same bytes. */
function verifyRates(n: number, f: number): { certificate: number; raw: number } {
  const keys = Array.from({ length: n }, (_, i) => signingKeyFromSeed(new Uint8Array(32).fill(i + 1)));
  const set: ValidatorSet = {
    chainId: "bench-net",
    keys: keys.map((k) => k.publicKey),
    f,
    roundMs: DELTA,
    slotMs: 1,
    genesisTime: 0,
  };
  const hash = new Uint8Array(32).fill(7);
  const signers = Array.from({ length: f + 1 }, (_, i) => i);
  const cert = {
    slot: 5,
    mask: maskOf(signers, n),
    signatures: signers.map((i) => signVote(keys[i]!, "commit", "bench-net", 5, hash)),
  };
  const message = voteSigningBytes("commit", "bench-net", 5, hash);
  const keyObjects = keys.map((k) =>
    createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), k.publicKey]),
      format: "der",
      type: "spki",
    }),
  );
  const rate = (fn: () => void, sigsPerCall: number) => {
    for (let i = 0; i < 50; i++) fn();
    const t0 = performance.now();
    let calls = 0;
    while (performance.now() - t0 < 1_000) {
      fn();
      calls++;
    }
    return (calls * sigsPerCall) / ((performance.now() - t0) / 1000);
  };
  return {
    certificate: rate(() => verifyCertificate(set, hash, cert), signers.length),
    raw: rate(() => {
      for (const i of signers)
        if (!nodeVerify(null, message, keyObjects[i]!, cert.signatures[i]!)) throw new Error("raw verify");
    }, signers.length),
  };
}

const results = [];
for (const n of SIZES) {
  const f = Math.floor((n - 1) / 3);
  const bound = (f + 1) * DELTA;
  const online = await runNetwork(n, f, 0);
  const degraded = await runNetwork(n, f, f);
  const rates = verifyRates(n, f);
  const certBytes = (k: number) =>
    encodeCertificate({
      slot: 1,
      mask: maskOf([...Array(k).keys()], n),
      signatures: Array.from({ length: k }, () => new Uint8Array(64)),
    }).length;
  results.push({
    n,
    f,
    deltaMs: DELTA,
    boundMs: bound,
    online: {
      decisionP50Ms: quantile(online.decidedMs, 0.5),
      finalityP50Ms: quantile(online.finalMs, 0.5),
      finalityMaxMs: Math.max(...online.finalMs),
      finalizations: online.finalMs.length,
      bottoms: online.bottoms,
    },
    fOffline: {
      finalityP50Ms: quantile(degraded.finalMs, 0.5),
      finalityMaxMs: Math.max(...degraded.finalMs),
      finalizations: degraded.finalMs.length,
      bottoms: degraded.bottoms,
    },
    certificateBytes: { quorum: certBytes(f + 1), all: certBytes(n) },
    verify: {
      certificateSigsPerS: rates.certificate,
      rawSigsPerS: rates.raw,
      ratio: rates.certificate / rates.raw,
    },
  });
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
console.log(`Δ = ${DELTA} ms, one-way delay ≤ ${MAX_DELAY} ms, ${SLOTS} slots per network, real Ed25519`);
console.log(
  "  n  f  bound (f+1)Δ  decide p50  final p50  final max  final/bound  ⊥  | f offline: final p50  max  ⊥  | cert bytes f+1/n | verify sig/s  raw sig/s  ratio",
);
for (const r of results) {
  console.log(
    `${String(r.n).padStart(3)} ${String(r.f).padStart(2)}  ${fmt(r.boundMs, 0).padStart(12)}  ${fmt(r.online.decisionP50Ms).padStart(10)}  ${fmt(r.online.finalityP50Ms).padStart(9)}  ${fmt(r.online.finalityMaxMs).padStart(9)}  ${fmt(r.online.finalityP50Ms / r.boundMs, 2).padStart(11)}  ${String(r.online.bottoms).padStart(2)}  | ${fmt(r.fOffline.finalityP50Ms).padStart(20)}  ${fmt(r.fOffline.finalityMaxMs).padStart(4)}  ${String(r.fOffline.bottoms).padStart(2)}  | ${`${r.certificateBytes.quorum}/${r.certificateBytes.all}`.padStart(16)} | ${fmt(r.verify.certificateSigsPerS, 0).padStart(12)}  ${fmt(r.verify.rawSigsPerS, 0).padStart(9)}  ${fmt(r.verify.ratio, 2).padStart(5)}`,
  );
}
// The simulation tier's cost on this machine: CPU time, so a loaded host does not inflate it.
const cpu0 = process.cpuUsage();
let simViolations = 0;
for (let seed = 1; seed <= SIM_RUNS; seed++) simViolations += runScenario({ seed }).violations.length;
const cpu = process.cpuUsage(cpu0);
const simMsPerRun = (cpu.user + cpu.system) / 1000 / SIM_RUNS;
console.log(
  `simulation: ${SIM_RUNS} runs, ${fmt(simMsPerRun, 2)} ms CPU per run → 10,010 runs ≈ ${fmt((simMsPerRun * 10_010) / 1000)} s CPU (${simViolations} violations)`,
);
const simulation = {
  runs: SIM_RUNS,
  cpuMsPerRun: simMsPerRun,
  cpuSecondsFor10010: (simMsPerRun * 10_010) / 1000,
  violations: simViolations,
};

writeBenchResult("consensus", {
  deltaMs: DELTA,
  maxDelayMs: MAX_DELAY,
  slots: SLOTS,
  results,
  simulation,
});
