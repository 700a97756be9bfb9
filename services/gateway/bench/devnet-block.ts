/**
 * A 1,000-tx block on a real 5-node devnet: time for it to reach every node (from the moment the
 * mining node has it), next to one node's own processing time of that block (the chain's
 * chain_block_process_seconds on the last node: validation and commit), and the time for the
 * 1,000 txs to reach every mempool. Writes bench-results/gateway-devnet.json.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet } from "@p2pnode/crypto";
import { Devnet, type DevnetNode, serviceUrls, waitUntil } from "@p2pnode/devnet";
import { benchSetting } from "@p2pnode/kit/testing";
import { burstLanes, fundSenders, json, submitLanes } from "./devnet-txs.js";

const TXS = benchSetting("BENCH_TXS", 1_000, { min: 1 });
const SENDERS = 20;

const dir = mkdtempSync(join(tmpdir(), "p2pnode-gateway-bench-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
const chain = (n: DevnetNode) => serviceUrls(n).chain!;

async function processSeconds(n: DevnetNode): Promise<number> {
  const text = await (await fetch(`${chain(n)}/metrics`)).text();
  const m = /^chain_block_process_seconds_sum(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

const state = await devnet.up({
  nodes: 5,
  miners: 1,
  portBase: 23_075 + 1000 * Math.floor(Math.random() * 2),
});
try {
  const [first, ...rest] = state.nodes as [DevnetNode, ...DevnetNode[]];
  const last = state.nodes[state.nodes.length - 1]!;
  const admin = { authorization: `Bearer ${state.apiToken}` };
  // The chain keeps at most 64 pending txs per sender: spread the load over SENDERS accounts.
  const senders = await fundSenders(
    {
      chainUrl: chain,
      minerUrl: serviceUrls(first).miner!,
      nodes: state.nodes,
      apiToken: state.apiToken,
      chainId: state.chainId,
      faucet: readWallet(devnet.faucetFile).key,
    },
    SENDERS,
  );
  const lanes = burstLanes(senders, TXS, state.chainId);
  const t0 = performance.now();
  const refused = await submitLanes(`${chain(first)}/txs`, lanes);
  if (refused.length > 0) console.warn(`${refused.length} txs refused, e.g. ${refused[0]}`);
  const submitMs = performance.now() - t0;
  // False when the wait ran out: the figure is then the bound, not a relay time.
  const inAllMempools = await waitUntil(
    async () =>
      (await Promise.all(rest.map((n) => json<{ count: number }>(`${chain(n)}/mempool?limit=1`)))).every(
        (m) => m.count >= TXS,
      ),
    benchSetting("BENCH_WAIT_MS", 120_000, { min: 1 }),
    20,
  );
  const mempoolsMs = performance.now() - t0;

  const before = await processSeconds(last);
  const startHeight = (await json<{ height: number }>(`${chain(first)}/tip`)).height;
  await fetch(`${serviceUrls(first).miner}/start`, { method: "POST", headers: admin });
  await waitUntil(
    async () => (await json<{ height: number }>(`${chain(first)}/tip`)).height > startHeight,
    120_000,
    2,
  );
  const minedAt = performance.now();
  await fetch(`${serviceUrls(first).miner}/stop`, { method: "POST", headers: admin });
  const block = await json<{ hash: string; txCount: number }>(`${chain(first)}/blocks/${startHeight + 1}`);
  const arrivals = await Promise.all(
    rest.map(async (n) => {
      await waitUntil(async () => (await fetch(`${chain(n)}/blocks/${block.hash}`)).ok, 60_000, 2);
      return performance.now() - minedAt;
    }),
  );
  const result = {
    txs: TXS,
    txSubmitMs: Math.round(submitMs),
    txsInAllMempoolsMs: Math.round(mempoolsMs),
    txsInAllMempools: inAllMempools,
    txsRefused: refused.length,
    blockTxCount: block.txCount,
    blockToAllNodesMs: Math.round(Math.max(...arrivals)),
    blockArrivalMs: arrivals.map((a) => Math.round(a)),
    oneNodeProcessMs: Math.round((await processSeconds(last)) * 1000 - before * 1000),
  };
  console.table(result);
  mkdirSync("bench-results", { recursive: true });
  writeFileSync("bench-results/gateway-devnet.json", `${JSON.stringify(result, null, 2)}\n`);
} finally {
  // BENCH_KEEP=1 leaves the devnet running for inspection (`p2pnode devnet down --dir <dir>`).
  if (process.env.BENCH_KEEP === "1") console.log(`devnet kept in ${dir}`);
  else await devnet.down({ wipe: true });
}
