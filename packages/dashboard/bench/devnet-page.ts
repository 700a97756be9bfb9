/**
 * The dashboard on a real 5-node devnet, page on node3:
 * - latency: block stored by node3's chain (its receivedAt) → the page showing it as node3's tip,
 *   and block stored by the mining node0 → the page (P2P propagation included);
 * - CPU: node3's processes (supervisor, NATS, every service) over BENCH_WINDOW_S seconds while
 *   node0 mines about one block a second, without the page (baseline) and with it, alternated
 *   twice; the page's cost is the difference, as % of one core.
 * Writes bench-results/dashboard-devnet.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  allPids,
  cpuSeconds,
  Devnet,
  type DevnetNode,
  type DevnetState,
  mineBlocks,
  readPids,
  serviceUrls,
  setMining,
  tipOf,
  waitUntil,
} from "@p2pnode/devnet";
import { offlineBrowser } from "../test/browser.js";

const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 30);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 20);

const dir = mkdtempSync(join(tmpdir(), "p2pnode-dashboard-bench-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
const node = (i: number): DevnetNode => state.nodes[i]!;
const tip = tipOf;
const mining = (n: DevnetNode, action: "start" | "stop") => setMining(n, action, state.apiToken);
/** One block on node0: its miner started, the tip one higher, the miner stopped. */
const mineOne = () => mineBlocks(node(0), state.apiToken, 1, { timeoutMs: 30_000, pollMs: 20 });
const receivedAt = (n: DevnetNode, hash: string) =>
  fetch(`${serviceUrls(n).chain}/blocks/${hash}`)
    .then((r) => r.json() as Promise<{ receivedAt: number }>)
    .then((b) => b.receivedAt)
    .catch(() => undefined);

/** CPU seconds used so far by a node's processes (utime + stime of each). */
function nodeCpuSeconds(n: DevnetNode): number {
  return allPids(readPids(n.dataDir)).reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
}

/** One block at a time on node0, about one a second, until `stop` says so. */
async function mineSteadily(stop: () => boolean): Promise<number> {
  let blocks = 0;
  while (!stop()) {
    const t0 = Date.now();
    await mineOne();
    blocks++;
    await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (Date.now() - t0))));
  }
  return blocks;
}

async function cpuWindow(): Promise<{ percent: number; blocks: number }> {
  const c0 = nodeCpuSeconds(node(3));
  const t0 = Date.now();
  const blocks = await mineSteadily(() => Date.now() - t0 >= WINDOW_S * 1000);
  const wall = (Date.now() - t0) / 1000;
  return { percent: ((nodeCpuSeconds(node(3)) - c0) / wall) * 100, blocks: blocks / wall };
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? null;

state = await devnet.up({
  nodes: 5,
  miners: 1,
  portBase: 24_080,
  readyTimeoutMs: 300_000,
  consensus: { initialTarget: "f".repeat(64), retargetWindow: 100_000 },
});
await mining(node(0), "stop");
const browser = await offlineBrowser();
await browser.context.addInitScript({ content: "globalThis.__name = (f) => f;" });
try {
  await waitUntil(async () => (await tip(node(3)))?.height === (await tip(node(0)))?.height, 120_000, 200);
  const url = `${serviceUrls(node(3)).gateway}/dashboard`;

  // CPU: baseline, page, baseline, page.
  const runs: { page: boolean; percent: number; blocks: number }[] = [];
  for (const page of [false, true, false, true]) {
    if (page) {
      await browser.page.goto(url);
      await browser.page.waitForFunction(() => document.getElementById("live")?.textContent === "live");
    } else await browser.page.goto("about:blank");
    runs.push({ page, ...(await cpuWindow()) });
  }
  const mean = (page: boolean) => runs.filter((r) => r.page === page).reduce((s, r) => s + r.percent, 0) / 2;

  // Latency: the page is open; blocks one by one.
  const local: number[] = [];
  const fromMiner: number[] = [];
  for (let i = 0; i < BLOCKS; i++) {
    await mineOne();
    await waitUntil(async () => (await tip(node(3)))?.hash === (await tip(node(0)))?.hash, 30_000, 50);
    const t = (await tip(node(3)))!;
    const shownAt = await waitUntil(
      async () =>
        browser.page.evaluate(
          (hash) =>
            hash in
            (window as unknown as { __dashboard: { shownAt: Record<string, number> } }).__dashboard.shownAt,
          t.hash,
        ),
      30_000,
      50,
    );
    if (!shownAt) continue;
    const shown = await browser.page.evaluate(
      (hash) =>
        (window as unknown as { __dashboard: { shownAt: Record<string, number> } }).__dashboard.shownAt[
          hash
        ]!,
      t.hash,
    );
    const [at3, at0] = await Promise.all([receivedAt(node(3), t.hash), receivedAt(node(0), t.hash)]);
    if (at3 !== undefined) local.push(shown - at3);
    if (at0 !== undefined) fromMiner.push(shown - at0);
    await new Promise((r) => setTimeout(r, 500));
  }
  const result = {
    cpu: {
      windowSeconds: WINDOW_S,
      runs,
      baselinePercent: mean(false),
      withPagePercent: mean(true),
      pageCostPercentOfOneCore: mean(true) - mean(false),
    },
    latencyMs: {
      blocks: local.length,
      servingNodeStored: { p50: quantile(local, 0.5), p95: quantile(local, 0.95), max: Math.max(...local) },
      minerStored: {
        p50: quantile(fromMiner, 0.5),
        p95: quantile(fromMiner, 0.95),
        max: Math.max(...fromMiner),
      },
    },
    outsideRequests: browser.outside.length,
    loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync("bench-results", { recursive: true });
  writeFileSync("bench-results/dashboard-devnet.json", `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  await devnet.down({ wipe: true });
}
