import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Devnet,
  type DevnetNode,
  type DevnetState,
  defaultCliMain,
  freePortBase,
  heal,
  mineBlocks,
  nodeIdOf,
  partition,
  serviceUrls,
  setMining,
  setTopology,
  sharedTip,
  tipOf,
  waitUntil,
} from "@p2pnode/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OfflineBrowser, offlineBrowser } from "./browser.js";

// The dashboard as a user opens it: a real 5-node devnet, node3's gateway serving the page to
// headless Chromium with the internet cut off. Screenshots land in test-artifacts/ (gitignored).
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "test-artifacts");
const dir = mkdtempSync(join(tmpdir(), "p2pnode-dashboard-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
let browser: OfflineBrowser;

const node = (i: number): DevnetNode => state.nodes[i]!;
const tip = tipOf;
async function mine(n: DevnetNode, blocks: number): Promise<void> {
  expect(await mineBlocks(n, state.apiToken, blocks, { pollMs: 100 }), `${n.name} mined ${blocks}`).toBe(
    true,
  );
}
const oneTip = () => sharedTip(state.nodes);

/** What the page shows: the summary's counts, the graph's drawn order/size, the fork panel, heights. */
async function shown() {
  return browser.page.evaluate(() => {
    const s = document.getElementById("summary")!.dataset;
    const g = document.getElementById("graph")!.dataset;
    const heights: Record<string, number> = {};
    for (const tr of document.querySelectorAll<HTMLElement>("#nodes tr[data-node]")) {
      heights[tr.dataset.node!] = Number(tr.querySelector(".height")!.textContent);
    }
    const fork = document.querySelector<HTMLElement>("#forks .fork");
    return {
      nodes: Number(s.nodes),
      links: Number(s.links),
      components: Number(s.components),
      drawnNodes: Number(g.nodes),
      drawnEdges: Number(g.edges),
      branches: Number(fork?.dataset.branches ?? 0),
      heights,
      live: document.getElementById("live")!.textContent,
      pairs: (window as unknown as { __dashboard: { links: string[] } }).__dashboard.links
        .map((l) => l.split(">").sort().join("-"))
        .sort(),
    };
  });
}
const pageShows = (pred: (s: Awaited<ReturnType<typeof shown>>) => boolean, timeoutMs = 60_000) =>
  waitUntil(async () => pred(await shown()), timeoutMs, 200);

beforeAll(async () => {
  state = await devnet.up({
    nodes: 5,
    miners: 2,
    portBase: await freePortBase(5),
    readyTimeoutMs: 200_000,
    // The devnet's own difficulty (about 2^16 hashes a block, retargeted to 2 s), not a trivial
    // target: a miner that finds a block on every hash floods a loaded machine with syncs.
  });
  await Promise.all([setMining(node(0), "stop", state.apiToken), setMining(node(1), "stop", state.apiToken)]);
  browser = await offlineBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await devnet.down({ wipe: true }).catch(() => undefined);
}, 60_000);

describe("dashboard on node3 of a 5-node devnet", () => {
  it("shows every node and link, live heights, a partition as two components with a fork that resolves, offline", async () => {
    const ids = state.nodes.map(nodeIdOf);
    // A fixed topology (a ring with one chord), so the page's links can be checked one by one.
    const ring: [number, number][] = [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 0],
      [0, 2],
    ];
    await setTopology(state, ring);
    // The URL as a user gets it: `p2pnode devnet dashboard --node node3`.
    const cli = spawnSync(
      process.execPath,
      [defaultCliMain(), "devnet", "--dir", dir, "dashboard", "--node", "node3"],
      {
        encoding: "utf8",
      },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout.trim()).toBe(`${serviceUrls(node(3)).gateway}/dashboard`);
    await browser.page.goto(cli.stdout.trim());

    // All five nodes and the links between them, drawn in the graph.
    const linked = await pageShows(
      (s) =>
        s.nodes === 5 &&
        s.drawnNodes === 5 &&
        s.components === 1 &&
        s.links === ring.length &&
        s.drawnEdges === s.links &&
        s.live === "live",
      120_000,
    );
    const first = await shown();
    expect(linked, JSON.stringify(first)).toBe(true);
    expect(Object.keys(first.heights).sort()).toEqual([...ids].sort());
    expect(first.pairs).toEqual(ring.map(([x, y]) => [ids[x]!, ids[y]!].sort().join("-")).sort());
    // Proof of work: no consensus panel; the compute panel says it has no tasks yet.
    expect(
      await browser.page.evaluate(() => ({
        consensus: document.getElementById("consensus-panel")!.hidden,
        compute: document.getElementById("compute-panel")!.hidden,
        tasks: document.querySelector<HTMLElement>("#compute .compute")?.dataset.tasks,
      })),
    ).toEqual({ consensus: true, compute: false, tasks: "0" });

    // Heights change live while a miner runs: node3's own row and node0's.
    const before = first.heights;
    await setMining(node(0), "start", state.apiToken);
    const moved = await pageShows(
      (s) => s.heights[ids[3]!]! >= before[ids[3]!]! + 3 && s.heights[ids[0]!]! >= before[ids[0]!]! + 3,
    );
    await setMining(node(0), "stop", state.apiToken);
    expect(moved, JSON.stringify(await shown())).toBe(true);
    // A hang guard, not a speed check: on a loaded machine a burst of blocks takes a while to cross
    // the ring.
    const settled = await waitUntil(async () => (await oneTip()) !== undefined, 300_000, 200);
    expect(settled, JSON.stringify(await Promise.all(state.nodes.map(tip)))).toBe(true);

    // A partition: two components on the page, then a fork once each side mines.
    await partition(state, [
      [0, 2],
      [1, 3, 4],
    ]);
    expect(await pageShows((s) => s.components === 2), JSON.stringify(await shown())).toBe(true);
    await mine(node(0), 2);
    await mine(node(1), 4);
    const forked = await pageShows((s) => s.components === 2 && s.branches === 2);
    await browser.page.screenshot({ path: join(ARTIFACTS, "dashboard-fork.png") });
    expect(forked, JSON.stringify(await shown())).toBe(true);
    // On a phone-sized screen every panel fits the width (wide tables scroll inside their panel).
    await browser.page.setViewportSize({ width: 390, height: 844 });
    // The graph's canvas follows the new width on its resize observer: wait for the page to settle.
    const overflow = () =>
      browser.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const fits = await waitUntil(async () => (await overflow()) <= 0, 15_000, 100);
    await browser.page.screenshot({ path: join(ARTIFACTS, "dashboard-phone.png") });
    expect(fits, `${await overflow()} px wider than the screen`).toBe(true);
    await browser.page.setViewportSize({ width: 1280, height: 1000 });

    // Heal, then ONE miner extends the chain: one component, one branch, every node at its tip.
    await heal(state, [
      [0, 1],
      [2, 3],
    ]);
    await mine(node(1), 2);
    const converged = await waitUntil(async () => (await oneTip()) !== undefined, 120_000, 200);
    expect(converged).toBe(true);
    const height = (await tip(node(1)))!.height;
    const resolved = await pageShows(
      (s) => s.components === 1 && s.branches === 1 && Object.values(s.heights).every((h) => h === height),
    );
    await browser.page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    expect(resolved, JSON.stringify(await shown())).toBe(true);

    // Nothing left this machine: the page needs no internet.
    expect(browser.outside).toEqual([]);
  }, 600_000);
});
