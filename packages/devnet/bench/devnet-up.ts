/**
 * How long `devnet up --nodes N` takes to be ready and how much memory the whole network holds,
 * next to baselines measured in the same run: one node's start-up time, and an idle `node`
 * process's RSS times the number of processes. Writes bench-results/devnet-up.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Devnet } from "../src/devnet.js";
import { allPids, isAlive, readPids, rssBytes } from "../src/processes.js";
import { formatTable } from "../src/table.js";

const nodes = Number(process.env.BENCH_NODES ?? 5);
const MiB = 2 ** 20;

async function upOnce(n: number, portBase: number) {
  const devnet = new Devnet({ dir: mkdtempSync(join(tmpdir(), "p2pnode-bench-")), logLevel: "warn" });
  try {
    const t0 = performance.now();
    const state = await devnet.up({ nodes: n, miners: 1, portBase, readyTimeoutMs: 300_000 });
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 3_000)); // let start-up garbage settle before sampling
    const pids = state.nodes.flatMap((node) => allPids(readPids(node.dataDir))).filter(isAlive);
    const rss = pids.reduce((s, p) => s + rssBytes(p), 0);
    return { seconds, rss, processes: pids.length };
  } finally {
    await devnet.down({ wipe: true });
  }
}

async function idleNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1_000));
  const rss = rssBytes(child.pid!);
  child.kill();
  return rss;
}

// Below the kernel's ephemeral range (32768+), where an outgoing socket could take a devnet port.
const one = await upOnce(1, 24000);
const many = await upOnce(nodes, 24000);
const idle = await idleNodeRss();
const rows = [
  [
    "ready time",
    `${many.seconds.toFixed(1)} s`,
    `${one.seconds.toFixed(1)} s (1 node)`,
    (many.seconds / one.seconds).toFixed(2),
  ],
  [
    "total RSS",
    `${(many.rss / MiB).toFixed(0)} MiB`,
    `${((idle * many.processes) / MiB).toFixed(0)} MiB (${many.processes} idle node procs)`,
    (many.rss / (idle * many.processes)).toFixed(2),
  ],
  [
    "RSS per node",
    `${(many.rss / nodes / MiB).toFixed(0)} MiB`,
    `${(one.rss / MiB).toFixed(0)} MiB (1-node devnet)`,
    (many.rss / nodes / one.rss).toFixed(2),
  ],
];
console.log(`devnet up --nodes ${nodes} (${many.processes} processes)\n`);
console.log(formatTable(["figure", "value", "baseline", "ratio"], rows));
mkdirSync("bench-results", { recursive: true });
writeFileSync(
  "bench-results/devnet-up.json",
  JSON.stringify(
    {
      nodes,
      readySeconds: many.seconds,
      oneNodeReadySeconds: one.seconds,
      totalRssBytes: many.rss,
      oneNodeRssBytes: one.rss,
      processes: many.processes,
      idleNodeProcessRssBytes: idle,
    },
    null,
    2,
  ),
);
