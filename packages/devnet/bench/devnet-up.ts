/**
 * How long `devnet up --nodes N` takes to be ready, how much memory the whole network holds and
 * how much CPU it burns doing nothing, next to baselines measured in the same run: one node's
 * start-up time, and as many bare `node` processes (each with a 250 ms timer, like a service's
 * supervisor check) for memory and idle CPU. Writes bench-results/devnet-up.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Devnet } from "../src/devnet.js";
import { allPids, cpuSeconds, isAlive, readPids, rssBytes } from "../src/processes.js";
import { formatTable } from "../src/table.js";

const nodes = Number(process.env.BENCH_NODES ?? 5);
const MiB = 2 ** 20;
const IDLE_WINDOW_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cores the processes kept busy, on average, over the window. */
async function idleCores(pids: number[]): Promise<number> {
  const total = () => pids.reduce((s, p) => s + (cpuSeconds(p) ?? 0), 0);
  const before = total();
  await sleep(IDLE_WINDOW_MS);
  return (total() - before) / (IDLE_WINDOW_MS / 1000);
}

async function upOnce(n: number, portBase: number) {
  const devnet = new Devnet({ dir: mkdtempSync(join(tmpdir(), "p2pnode-bench-")), logLevel: "warn" });
  try {
    const t0 = performance.now();
    const state = await devnet.up({ nodes: n, miners: 1, portBase, readyTimeoutMs: 300_000 });
    const seconds = (performance.now() - t0) / 1000;
    await sleep(3_000); // let start-up garbage settle before sampling
    const pids = state.nodes.flatMap((node) => allPids(readPids(node.dataDir))).filter(isAlive);
    const rss = pids.reduce((s, p) => s + rssBytes(p), 0);
    return { seconds, rss, processes: pids.length };
  } finally {
    await devnet.down({ wipe: true });
  }
}

/** A devnet with no miner, once it has settled: what its processes burn while nothing happens. */
async function idleDevnetCores(n: number, portBase: number) {
  const devnet = new Devnet({ dir: mkdtempSync(join(tmpdir(), "p2pnode-bench-")), logLevel: "warn" });
  try {
    const state = await devnet.up({ nodes: n, miners: 0, portBase, readyTimeoutMs: 300_000 });
    await sleep(10_000); // peers found, DHT bootstrapped, start-up JIT done
    const pids = state.nodes.flatMap((node) => allPids(readPids(node.dataDir))).filter(isAlive);
    return { cores: await idleCores(pids), processes: pids.length };
  } finally {
    await devnet.down({ wipe: true });
  }
}

/** `count` bare node processes, each with a 250 ms timer: their RSS (one) and idle CPU (all). */
async function bareNodes(count: number) {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++)
      children.push(spawn(process.execPath, ["-e", "setInterval(() => {}, 250)"], { stdio: "ignore" }));
    await sleep(3_000);
    const pids = children.map((c) => c.pid!);
    return { rss: rssBytes(pids[0]!), cores: await idleCores(pids) };
  } finally {
    for (const c of children) c.kill();
  }
}

// Below the kernel's ephemeral range (32768+), where an outgoing socket could take a devnet port.
const one = await upOnce(1, 24000);
const many = await upOnce(nodes, 24000);
const quiet = await idleDevnetCores(nodes, 24000);
const bare = await bareNodes(quiet.processes);
const idle = bare.rss;
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
  [
    "idle CPU, no miner",
    `${(quiet.cores * 100).toFixed(1)} % of a core`,
    `${(bare.cores * 100).toFixed(1)} % (${quiet.processes} bare node procs)`,
    (quiet.cores / bare.cores).toFixed(2),
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
      idleDevnetCores: quiet.cores,
      idleBareProcessesCores: bare.cores,
    },
    null,
    2,
  ),
);
