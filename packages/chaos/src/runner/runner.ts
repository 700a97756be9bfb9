import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevnetState, heal, partition, waitUntil } from "@p2pnode/devnet";
import { answerBoundMs } from "./answer-bound.js";
import { ChaosCluster } from "./cluster.js";
import { type Check, checkInvariants } from "./invariants.js";
import { TxLoad } from "./load.js";
import type { ChaosManifest, PerturbationKind } from "./manifest.js";
import { NamespaceNet, namespacesUnavailable } from "./netns.js";
import { type Perturbation, schedule } from "./schedule.js";

export interface PerturbationRecord extends Perturbation {
  startedMs: number;
  /** From the fault's end (or the kill/restart) until every node it hit answered again; null: not within the bound. */
  recoveredMs: number | null;
  /** The bound this answer was held to: the manifest's, stretched on an oversubscribed machine (answer-bound.ts). */
  boundMs?: number;
  /** 1-minute load average per core when the wait began. */
  loadPerCore?: number;
  skipped?: string;
}

export interface ChaosReport {
  name: string;
  seed: number;
  network: "namespaces" | "loopback";
  networkNote?: string;
  nodes: number;
  durationSec: number;
  perturbations: PerturbationRecord[];
  load: { acknowledged: number; distinct: number; rejected: Record<string, number>; submitErrors: number };
  convergedMs: number | null;
  finalHeight: number;
  checks: Check[];
  ok: boolean;
  wallSec: number;
}

/** Emergency clean-ups of runs in progress, for a runner interrupted by a signal (see the bin). */
const inProgress = new Set<() => void>();
export function abortChaosRuns(): void {
  for (const f of inProgress) f();
}

const LOOPBACK_ONLY_SKIPS: Partial<Record<PerturbationKind, string>> = {
  netem: "needs network namespaces (tc netem on a node's own link)",
};

/**
 * Runs a manifest: nodes up (namespaces or loopback), load wallets funded, steady load, the
 * seeded fault schedule applied and undone one fault at a time, then one miner extends the
 * chain until all converge, and the invariants are checked through the public APIs. Every
 * process, namespace and temp dir of the run is removed at the end, pass or fail.
 */
export async function runChaos(
  m: ChaosManifest,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<ChaosReport> {
  const t0 = Date.now();
  let mode: "namespaces" | "loopback" = m.network === "namespaces" ? "namespaces" : "loopback";
  let note: string | undefined;
  if (m.network !== "loopback") {
    const why = namespacesUnavailable();
    if (why && m.network === "namespaces") throw new Error(`network namespaces unavailable: ${why}`);
    if (why) {
      note = `namespaces unavailable (${why}): loopback fallback, per-address rules relaxed`;
      log(note);
    } else mode = "namespaces";
  }
  const tag = randomBytes(2).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), `p2pnode-chaos-${tag}-`));
  const net = mode === "namespaces" ? new NamespaceNet(tag, m.nodes) : undefined;
  const portBase = 30_000 + 1000 * Math.floor(Math.random() * 10);
  const records: PerturbationRecord[] = [];
  const down = new Set<number>();
  let cluster: ChaosCluster | undefined;
  let load: TxLoad | undefined;
  const checks: Check[] = [];
  let convergedMs: number | null = null;
  let finalHeight = 0;
  const emergency = () => {
    if (cluster) for (let i = 0; i < m.nodes; i++) cluster.signal(i, "SIGKILL");
    net?.down();
    rmSync(dir, { recursive: true, force: true });
  };
  inProgress.add(emergency);
  try {
    net?.up();
    const netemWhy = net?.netemUnavailable();
    if (netemWhy) log(`${netemWhy}: netem perturbations are skipped`);
    const c = new ChaosCluster(dir, m.nodes, m.miners, net, portBase);
    cluster = c;
    log(`${m.name}: ${m.nodes} nodes (${mode}), seed ${m.seed}, ${m.durationSec} s, data in ${dir}`);
    for (let i = 0; i < m.nodes; i++) c.start(i);
    const all = c.nodes.map((_, i) => i);
    if (
      !(await waitUntil(
        async () => (await Promise.all(all.map((i) => c.ready(i)))).every(Boolean),
        240_000,
        1_000,
      ))
    )
      throw new Error("nodes not ready within 240 s");
    log("all nodes ready; funding load wallets");
    load = new TxLoad(c, m.load.wallets, m.load.txPerSecond, () => all.filter((i) => !down.has(i)));
    await load.fund(m.miners - 1, 180_000);
    load.start();
    const devnetState: DevnetState = {
      version: 1,
      chainId: c.chainId,
      apiToken: c.apiToken,
      portBase,
      genesisFile: c.genesisFile,
      nodes: c.nodes,
    };
    const plan = schedule(m);
    log(`${plan.length} perturbations scheduled`);
    const loadStart = Date.now();
    for (const p of plan) {
      const wait = loadStart + p.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const rec: PerturbationRecord = { ...p, startedMs: Date.now() - loadStart, recoveredMs: null };
      const skip =
        mode === "loopback" ? LOOPBACK_ONLY_SKIPS[p.kind] : p.kind === "netem" ? netemWhy : undefined;
      if (skip) {
        rec.skipped = skip;
        records.push(rec);
        continue;
      }
      const [n] = p.nodes as [number];
      const hold = () => new Promise((r) => setTimeout(r, p.durationMs));
      switch (p.kind) {
        case "kill":
          down.add(n);
          await c.kill(n);
          c.start(n);
          break;
        case "restart":
          down.add(n);
          await c.stop(n);
          c.start(n);
          break;
        case "pause":
          down.add(n);
          c.signal(n, "SIGSTOP");
          await hold();
          c.signal(n, "SIGCONT");
          break;
        case "disconnect":
          down.add(n);
          if (net) net.cut(n);
          else await partition(devnetState, [[n], all.filter((i) => i !== n)]);
          await hold();
          if (net) net.restore(n);
          else await heal(devnetState);
          break;
        case "partition": {
          const other = all.filter((i) => !p.nodes.includes(i));
          if (net) net.partition(p.nodes);
          else await partition(devnetState, [p.nodes, other]);
          await hold();
          if (net) net.heal();
          else await heal(devnetState);
          break;
        }
        case "netem":
          net!.netem(n, p.delayMs ?? 100, p.lossPct ?? 0);
          await hold();
          net!.clearNetem(n);
          break;
      }
      const undoneAt = Date.now();
      const bound = answerBoundMs(m.bounds.answerSec);
      rec.boundMs = bound.boundMs;
      rec.loadPerCore = Number(bound.loadPerCore.toFixed(2));
      const back = await waitUntil(
        async () => (await Promise.all(p.nodes.map((i) => c.answers(i)))).every(Boolean),
        bound.boundMs,
        100,
      );
      rec.recoveredMs = back ? Date.now() - undoneAt : null;
      for (const i of p.nodes) down.delete(i);
      records.push(rec);
      log(
        `${(rec.startedMs / 1000).toFixed(1).padStart(7)} s  ${p.kind.padEnd(10)} node${p.nodes.join(",node")}  ${p.durationMs ? `${p.durationMs / 1000} s` : ""}  answered after ${rec.recoveredMs ?? "—"} ms (bound ${rec.boundMs} ms)`,
      );
      // Give a node that came back time to boot fully before the next fault (not counted above).
      if (p.kind === "kill" || p.kind === "restart") await waitUntil(() => c.ready(n), 120_000, 500);
    }
    const rest = loadStart + m.durationSec * 1000 - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    await load.stop();
    // One miner extends the chain from here: the others stop, so every node can reach one tip.
    for (let i = 0; i < m.miners - 1; i++) {
      await fetch(`${c.url(i, "miner")}/stop`, {
        method: "POST",
        headers: { authorization: `Bearer ${c.apiToken}` },
      }).catch(() => undefined);
    }
    const acked = load.ackedIds();
    const t = Date.now();
    const steady = m.miners - 1;
    const startHeight = await fetch(`${c.url(steady, "chain")}/tip`)
      .then(async (r) => ((await r.json()) as { height: number }).height)
      .catch(() => 0);
    const converged = await waitUntil(
      async () => {
        const tips = await Promise.all(
          all.map((i) =>
            fetch(`${c.url(i, "chain")}/tip`, { signal: AbortSignal.timeout(3_000) })
              .then(async (r) => (await r.json()) as { hash: string; height: number })
              .catch(() => undefined),
          ),
        );
        if (!tips.every((x) => x && x.hash === tips[0]!.hash && x.height > startHeight)) return false;
        // Every acknowledged tx is in a block (or will never be: the check reports it).
        return true;
      },
      m.bounds.convergeSec * 1000,
      1_000,
    );
    convergedMs = converged ? Date.now() - t : null;
    // Txs acknowledged just before the load stopped may still be on their way into a block.
    await waitUntil(
      async () => {
        const r = await checkInvariants(c, acked);
        return r.checks.every((x) => x.ok);
      },
      converged ? 60_000 : 1,
      3_000,
    ).catch(() => false);
    await fetch(`${c.url(steady, "miner")}/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiToken}` },
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3_000));
    await waitUntil(async () => (await checkInvariants(c, acked)).checks[1]!.ok, 30_000, 1_000);
    const r = await checkInvariants(c, acked);
    checks.push(...r.checks);
    finalHeight = r.tip.height;
    checks.push({
      name: `each node answered within ${m.bounds.answerSec} s of each fault (× load per core above 1)`,
      ok: records.every((x) => x.skipped || x.recoveredMs !== null),
      detail: answerDetail(records, m.bounds.answerSec),
    });
    checks.push({
      name: `converged within ${m.bounds.convergeSec} s`,
      ok: convergedMs !== null,
      detail: convergedMs === null ? "no" : `${(convergedMs / 1000).toFixed(1)} s`,
    });
  } catch (err) {
    checks.push({ name: "run completed", ok: false, detail: (err as Error).message });
  } finally {
    await load?.stop().catch(() => undefined);
    if (cluster) {
      for (const i of down) cluster.signal(i, "SIGCONT");
      await cluster.stopAll();
      const left = cluster.leftovers();
      checks.push({
        name: "no process left behind",
        ok: left.length === 0,
        detail: left.length ? `alive: ${left.join(" ")}` : "none",
      });
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    net?.down();
    if (process.env.CHAOS_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
    inProgress.delete(emergency);
  }
  const report: ChaosReport = {
    name: m.name,
    seed: m.seed,
    network: mode,
    ...(note ? { networkNote: note } : {}),
    nodes: m.nodes,
    durationSec: m.durationSec,
    perturbations: records,
    load: {
      acknowledged: load?.acknowledged.length ?? 0,
      distinct: load?.ackedIds().length ?? 0,
      rejected: Object.fromEntries(load?.rejected ?? []),
      submitErrors: load?.submitErrors ?? 0,
    },
    convergedMs,
    finalHeight,
    checks,
    ok: checks.length > 0 && checks.every((x) => x.ok),
    wallSec: (Date.now() - t0) / 1000,
  };
  return report;
}

export function writeReport(report: ChaosReport, file: string): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Counts, the slowest answer, how many came within the manifest's own bound, each stretched bound
 * and every fault after which its node did not answer in time.
 */
function answerDetail(records: readonly PerturbationRecord[], answerSec: number): string {
  const applied = records.filter((x) => !x.skipped);
  const silent = applied.filter((x) => x.recoveredMs === null);
  const max = Math.max(0, ...applied.map((x) => x.recoveredMs ?? 0));
  const within = applied.filter((x) => x.recoveredMs !== null && x.recoveredMs <= answerSec * 1000).length;
  const stretched = applied.filter((x) => (x.boundMs ?? 0) > answerSec * 1000);
  const at = (x: PerturbationRecord) =>
    `${x.kind} ${x.nodes.map((n) => `node${n}`).join(",")} at ${(x.atMs / 1000).toFixed(1)} s`;
  let d = `${applied.length} applied, ${records.length - applied.length} skipped, max ${max} ms, ${within} within ${answerSec} s`;
  if (stretched.length > 0)
    d += `; bound stretched after ${stretched.map((x) => `${at(x)} to ${((x.boundMs ?? 0) / 1000).toFixed(0)} s (load ${x.loadPerCore}/core)`).join("; ")}`;
  return silent.length === 0 ? d : `${d}; no answer in time after ${silent.map(at).join("; ")}`;
}
