/**
 * Burst relay on a real 5-node devnet: 1,000 signed transfers (SENDERS accounts, each sender's
 * nonces in order) are posted over REST to one node as fast as the client can — each sender's
 * next tx as soon as its previous one is answered, all senders at once — and the time from the
 * first request to the last 202 (the in-run baseline) is set next to the time until all five
 * mempools hold all 1,000. Relay should cost little more than submission: goal ≤ 2×. The next
 * mined block should then carry every one of them. Writes bench-results/gateway-burst.json.
 */

import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet } from "@p2pnode/crypto";
import { Devnet, type DevnetNode, serviceUrls, waitUntil } from "@p2pnode/devnet";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { burstLanes, fundSenders, json, must, submitLanes } from "./devnet-txs.js";

const TXS = benchSetting("BENCH_TXS", 1_000, { min: 1 });
/** The chain keeps at most 64 pending txs per sender: 20 senders × 50 txs. */
const SENDERS = benchSetting("BENCH_SENDERS", 20, { min: 1 });
/** Past this the relay counts as failed (the figure is then this bound, flagged `complete: false`). */
const WAIT_MS = benchSetting("BENCH_WAIT_MS", 120_000, { min: 1 });
const POLL_MS = 25;

const dir = mkdtempSync(join(tmpdir(), "p2pnode-gateway-burst-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
const chain = (n: DevnetNode) => serviceUrls(n).chain!;
const loadBefore = loadavg();

// An interrupted bench (Ctrl-C, a CI timeout) takes its devnet down before it exits.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void devnet
      .down({ wipe: true })
      .catch(() => undefined)
      .finally(() => process.exit(130));
  });
}

const mempoolCount = async (n: DevnetNode) =>
  (await json<{ count: number }>(`${chain(n)}/mempool?limit=1`)).count;

const state = await devnet.up({
  nodes: 5,
  miners: 1,
  portBase: 24_075 + 1000 * Math.floor(Math.random() * 2),
});
try {
  const nodes = state.nodes;
  const first = nodes[0]!;
  const admin = { authorization: `Bearer ${state.apiToken}` };
  const miner = (action: "start" | "stop") =>
    fetch(`${serviceUrls(first).miner}/${action}`, { method: "POST", headers: admin });

  const senders = await fundSenders(
    {
      chainUrl: chain,
      minerUrl: serviceUrls(first).miner!,
      nodes,
      apiToken: state.apiToken,
      chainId: state.chainId,
      faucet: readWallet(devnet.faucetFile).key,
    },
    SENDERS,
  );
  await must(
    waitUntil(async () => (await Promise.all(nodes.map(mempoolCount))).every((c) => c === 0), 60_000, 250),
    "empty mempools before the burst",
  );

  const lanes = burstLanes(senders, TXS, state.chainId);
  const t0 = performance.now();
  const refused = await submitLanes(`${chain(first)}/txs`, lanes);
  const submitMs = performance.now() - t0;
  if (refused.length > 0) {
    throw new Error(
      `burst bench: ${refused.length} of ${TXS} posts refused, e.g. ${refused[0]}; no figures written`,
    );
  }

  let counts: number[] = [];
  const complete = await waitUntil(
    async () => {
      counts = await Promise.all(nodes.map(mempoolCount));
      return counts.every((c) => c >= TXS);
    },
    WAIT_MS,
    POLL_MS,
  );
  const relayMs = performance.now() - t0;

  // The next block: the miner's template is built now, from a pool that holds the whole burst.
  const startHeight = (await json<{ height: number }>(`${chain(first)}/tip`)).height;
  await miner("start");
  await waitUntil(
    async () => (await json<{ height: number }>(`${chain(first)}/tip`)).height > startHeight,
    120_000,
    5,
  );
  await miner("stop");
  const block = await json<{ hash: string; txCount: number }>(`${chain(first)}/blocks/${startHeight + 1}`);
  const ids = lanes.flat().map((t) => t.id);
  let inNextBlock = 0;
  for (let i = 0; i < ids.length; i += 50) {
    const statuses = await Promise.all(
      ids.slice(i, i + 50).map((id) => json<{ block?: { height: number } }>(`${chain(first)}/txs/${id}`)),
    );
    inNextBlock += statuses.filter((s) => s.block?.height === startHeight + 1).length;
  }

  const ratio = relayMs / submitMs;
  const result = {
    txs: TXS,
    senders: SENDERS,
    accepted: TXS - refused.length,
    refused: refused.slice(0, 5),
    submitMs: Math.round(submitMs),
    allMempoolsMs: Math.round(relayMs),
    complete,
    mempoolCounts: counts,
    ratio: Number(ratio.toFixed(2)),
    nextBlockTxCount: block.txCount,
    burstInNextBlock: inNextBlock,
    loadavg: { before: loadBefore, after: loadavg() },
  };
  console.table({
    ...result,
    refused: refused.length,
    loadavg: loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  });
  // A burst that never reached every mempool has no relay time: the summary table gets no row.
  if (!complete) console.error(`burst bench: mempools held ${counts.join(", ")} of ${TXS} at the bound`);
  writeBenchResult(
    "gateway-burst",
    result,
    !complete
      ? []
      : [
          {
            figure: "burst relay, 1,000 tx to 5 mempools",
            value: Number((relayMs / 1000).toFixed(2)),
            unit: "s",
            baseline: "REST submission of the burst",
            baselineValue: Number((submitMs / 1000).toFixed(2)),
            ratio: Number(ratio.toFixed(2)),
            goal: 2,
            higherIsBetter: false,
          },
        ],
  );
  if (!complete) process.exitCode = 1;
} finally {
  // BENCH_KEEP=1 leaves the devnet running for inspection (`p2pnode devnet down --dir <dir>`).
  if (process.env.BENCH_KEEP === "1") console.log(`devnet kept in ${dir}`);
  else await devnet.down({ wipe: true });
}
