/**
 * Where one node's start-up time goes, from its supervisor's spawn to every service ready: for a
 * fresh data dir and for a restart after SIGKILL of the whole node, on a quiet machine and beside
 * `stress-ng --cpu 2`. Builds given in BENCH_CLI are measured in turns in the same run, so their
 * figures share the machine's load (an A/B). Writes bench-results/node-start.json.
 *
 *   BENCH_CLI=before=/tmp/base/packages/cli/dist/main.js,after=packages/cli/dist/main.js
 *   BENCH_RUNS=3  BENCH_LOAD=quiet,stress  BENCH_PORT_BASE=26000
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { API_LISTENER, portsFromBase, ROLE_SERVICES } from "@p2pnode/types";
import { Devnet, defaultCliMain } from "../src/devnet.js";
import type { DevnetNode } from "../src/layout.js";
import { allPids, cpuSeconds, isAlive, readPids, waitUntil } from "../src/processes.js";
import { formatTable } from "../src/table.js";
import { readNodeStartup } from "./startup-log.js";

const builds = (process.env.BENCH_CLI ?? `this=${defaultCliMain()}`).split(",").map((b) => {
  const [label, path] = b.split("=") as [string, string];
  return { label, cliMain: resolve(path) };
});
const runs = Number(process.env.BENCH_RUNS ?? 3);
const loads = (process.env.BENCH_LOAD ?? "quiet,stress").split(",") as ("quiet" | "stress")[];
const portBase = Number(process.env.BENCH_PORT_BASE ?? 26000);
const POLL_MS = 50;
const MILESTONES = ["imports", "nats", "network", "app", "setup", "listening", "ready"] as const;

/** One start: every time in ms since the bench spawned the supervisor. */
interface Sample {
  build: string;
  load: string;
  kind: "fresh" | "restart";
  loadAvg1: number;
  natsReady?: number;
  spawned?: number;
  /** Service → milestone → ms ("start" is the process's own start). */
  services: Record<string, Record<string, number>>;
  tip: number;
  allReady: number;
  /** CPU seconds each process had used when all were ready ("supervisor" included). */
  cpu: Record<string, number>;
}

/** utime + stime of a process in seconds; NaN when it is not running. */
function cpuSecondsOf(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
}

/**
 * What this bench has running (the node it measures, the stress-ng group): an interrupted bench
 * (Ctrl-C, a CI timeout) kills them before it exits, or a miner would go on using the cores.
 */
const live: { node?: { dataDir: string; supervisor: number }; stress?: ChildProcess } = {};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    const pids = live.node ? [live.node.supervisor, ...allPids(readPids(live.node.dataDir))] : [];
    for (const p of pids) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (live.stress?.pid) {
      try {
        process.kill(-live.stress.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    console.error(`node-start bench: ${signal}, stopped ${pids.length} node processes`);
    process.exit(130);
  });
}

function spawnNode(devnet: Devnet, node: DevnetNode, cliMain: string, logFile: string): ChildProcess {
  const fd = openSync(logFile, "a");
  try {
    // The arguments a devnet node gets (Devnet.spawnNode).
    const child = spawn(process.execPath, ["--max-semi-space-size=1", cliMain, "node", "start"], {
      env: devnet.nodeEnv(devnet.requireState(), node),
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    live.node = { dataDir: node.dataDir, supervisor: child.pid! };
    return child;
  } finally {
    closeSync(fd);
  }
}

const answers = (url: string, ready: boolean) =>
  fetch(url, { signal: AbortSignal.timeout(1_000) })
    .then(async (r) => r.ok && (!ready || ((await r.json()) as { ready?: boolean }).ready === true))
    .catch(() => false);

/** Starts the node and polls until its chain answers /tip and every service says ready. */
async function measure(
  devnet: Devnet,
  node: DevnetNode,
  build: (typeof builds)[number],
  load: string,
  kind: Sample["kind"],
): Promise<{ sample: Sample; pid: number }> {
  const logFile = join(devnet.dir, `${build.label}-${kind}.log`);
  const names = ROLE_SERVICES[node.role];
  const ports = portsFromBase(node.portBase);
  const url = (s: (typeof names)[number]) => `http://127.0.0.1:${ports[API_LISTENER[s]]}`;
  const t0 = Date.now();
  const child = spawnNode(devnet, node, build.cliMain, logFile);
  const ready: Record<string, number> = {};
  let tip: number | undefined;
  const done = await waitUntil(
    async () => {
      const now = Date.now() - t0;
      const [tipOk, ...readies] = await Promise.all([
        tip === undefined ? answers(`${url("chain")}/tip`, false) : true,
        ...names.map((s) => (ready[s] === undefined ? answers(`${url(s)}/ready`, true) : true)),
      ]);
      if (tipOk) tip ??= now;
      names.forEach((s, i) => {
        if (readies[i]) ready[s] ??= now;
      });
      return tip !== undefined && names.every((s) => ready[s] !== undefined);
    },
    120_000,
    POLL_MS,
  );
  if (!done) throw new Error(`${build.label} ${kind}: not ready in 120 s (see ${logFile})`);
  const pids = readPids(node.dataDir);
  const cpu: Record<string, number> = { supervisor: cpuSecondsOf(child.pid) };
  for (const s of names) cpu[s] = cpuSecondsOf(pids?.services[s]);
  const log = readNodeStartup(logFile);
  const rel = (at: number | undefined) => (at === undefined ? undefined : at - t0);
  const services: Sample["services"] = {};
  for (const s of names) {
    const st = log.services[s];
    services[s] = { start: rel(st?.processStartAt) ?? Number.NaN, ready: ready[s]! };
    for (const [k, v] of Object.entries(st?.at ?? {})) services[s]![k] = v - t0;
  }
  const sample: Sample = {
    build: build.label,
    load,
    kind,
    loadAvg1: loadavg()[0]!,
    natsReady: rel(log.natsReadyAt),
    spawned: rel(log.servicesSpawnedAt),
    services,
    tip: tip!,
    allReady: Math.max(...Object.values(ready)),
    cpu,
  };
  return { sample, pid: child.pid! };
}

async function killAll(node: DevnetNode, supervisor: number, signal: NodeJS.Signals): Promise<void> {
  const pids = [...new Set([supervisor, ...allPids(readPids(node.dataDir))])];
  const targets = signal === "SIGKILL" ? pids : [supervisor];
  for (const p of targets) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
  if (!(await waitUntil(() => pids.every((p) => !isAlive(p)), 30_000, 50)))
    throw new Error(`node processes still alive after ${signal}: ${pids.filter(isAlive).join(" ")}`);
}

/** A fresh start, a few seconds of running (blocks mined), SIGKILL of every process, a restart. */
async function cycle(build: (typeof builds)[number], load: string): Promise<Sample[]> {
  const devnet = new Devnet({
    dir: mkdtempSync(join(tmpdir(), "p2pnode-node-start-")),
    cliMain: build.cliMain,
    logLevel: "info",
  });
  try {
    const state = await devnet.up({ nodes: 1, miners: 1, portBase, hold: ["node0"] });
    const node = state.nodes[0]!;
    mkdirSync(node.dataDir, { recursive: true, mode: 0o700 });
    const fresh = await measure(devnet, node, build, load, "fresh");
    await new Promise((r) => setTimeout(r, 3_000));
    await killAll(node, fresh.pid, "SIGKILL");
    const restart = await measure(devnet, node, build, load, "restart");
    await killAll(node, restart.pid, "SIGTERM");
    return [fresh.sample, restart.sample];
  } finally {
    rmSync(devnet.dir, { recursive: true, force: true });
  }
}

function startStress(): ChildProcess {
  live.stress = spawn("stress-ng", ["--cpu", "2", "--timeout", "600"], { stdio: "ignore", detached: true });
  return live.stress;
}

async function stopStress(p: ChildProcess): Promise<void> {
  const gone = new Promise((r) => p.once("exit", r));
  process.kill(-p.pid!, "SIGTERM");
  await gone;
}

const samples: Sample[] = [];
for (let r = 0; r < runs; r++) {
  for (const load of loads) {
    const stress = load === "stress" ? startStress() : undefined;
    if (stress) await new Promise((res) => setTimeout(res, 3_000));
    try {
      for (const build of builds) {
        const got = await cycle(build, load);
        samples.push(...got);
        for (const s of got)
          console.log(
            `run ${r + 1} ${load.padEnd(6)} ${build.label.padEnd(8)} ${s.kind.padEnd(7)} /tip ${(s.tip / 1000).toFixed(2)} s, all ready ${(s.allReady / 1000).toFixed(2)} s (load avg ${s.loadAvg1.toFixed(1)})`,
          );
      }
    } finally {
      if (stress) await stopStress(stress);
    }
  }
}

const median = (xs: number[]) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length === 0 ? Number.NaN : v[Math.floor((v.length - 1) / 2)]!;
};
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "—");

for (const load of loads) {
  for (const kind of ["fresh", "restart"] as const) {
    for (const build of builds) {
      const mine = samples.filter((s) => s.load === load && s.kind === kind && s.build === build.label);
      if (mine.length === 0) continue;
      const names = Object.keys(mine[0]!.services);
      const rows = [
        [
          "supervisor",
          "0.00",
          "",
          sec(median(mine.map((s) => s.natsReady ?? Number.NaN))),
          "",
          "",
          "",
          sec(median(mine.map((s) => s.spawned ?? Number.NaN))),
          "",
          median(mine.map((s) => s.cpu.supervisor ?? Number.NaN)).toFixed(2),
        ],
        ...names.map((n) => [
          n,
          ...["start", ...MILESTONES].map((k) =>
            sec(median(mine.map((s) => s.services[n]?.[k] ?? Number.NaN))),
          ),
          median(mine.map((s) => s.cpu[n] ?? Number.NaN)).toFixed(2),
        ]),
      ];
      const avg = mine.reduce((a, s) => a + s.loadAvg1, 0) / mine.length;
      console.log(
        `\n${build.label}, ${kind} start, ${load} (load avg ${avg.toFixed(1)}; median of ${mine.length}; s since the supervisor's spawn; supervisor row: nats = nats-server ready, listening = last services spawned; cpu s: CPU used by all ready)`,
      );
      console.log(formatTable(["process", "start", ...MILESTONES, "cpu s"], rows));
    }
  }
}

const summary = loads.flatMap((load) =>
  (["fresh", "restart"] as const).map((kind) => {
    const cells = builds.flatMap((b) => {
      const mine = samples.filter((s) => s.load === load && s.kind === kind && s.build === b.label);
      const cpu = mine.map((s) => Object.values(s.cpu).reduce((a, b) => a + b, 0));
      return [
        sec(median(mine.map((s) => s.tip))),
        sec(median(mine.map((s) => s.allReady))),
        median(cpu).toFixed(1),
      ];
    });
    const avg = samples
      .filter((s) => s.load === load)
      .reduce((a, s, _, all) => a + s.loadAvg1 / all.length, 0);
    return [`${load} (load ${avg.toFixed(1)})`, kind, ...cells];
  }),
);
console.log("\nmedians, s from the supervisor's spawn (cpu s: CPU of the node's Node.js processes by then):");
console.log(
  formatTable(
    [
      "load",
      "start",
      ...builds.flatMap((b) => [`${b.label} /tip`, `${b.label} all ready`, `${b.label} cpu s`]),
    ],
    summary,
  ),
);
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/node-start.json", JSON.stringify({ builds, runs, samples }, null, 2));
