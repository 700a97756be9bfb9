import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import {
  allPids,
  composeRows,
  Devnet,
  DevnetError,
  type DevnetNode,
  type DevnetState,
  formatComposeTable,
  formatTable,
  isAlive,
  isSupervisor,
  readPids,
  rssBytes,
  serviceUrls,
  writeValidatorNetwork,
} from "@p2pnode/devnet";
import { ChainClient } from "@p2pnode/sdk";
import type { Command } from "commander";
import { registerDevnetDashboard } from "./dashboard-command.js";

const defaultDir = () => resolve(process.env.P2PNODE_DEVNET_DIR ?? ".devnet");

function int(name: string) {
  return (v: string) => {
    if (!/^[0-9]+$/.test(v)) throw new DevnetError("BAD_ARGS", `${name} expects a whole number, got "${v}"`);
    return Number(v);
  };
}

/** `p2pnode devnet up|status|down|logs`. */
export function registerDevnet(program: Command): void {
  const devnet = program
    .command("devnet")
    .description("run a local network of N nodes on loopback, without Docker")
    .option("--dir <path>", "devnet folder (state, genesis, node data)", defaultDir());

  devnet
    .command("up")
    .description("create (or restart with its data) a devnet and wait until every service is ready")
    .option(
      "-n, --nodes <n>",
      "number of nodes (1-40); their ports stay below the kernel's ephemeral range (12 nodes at the default --port-base)",
      int("--nodes"),
    )
    .option("-m, --miners <m>", "how many of them mine (default 1)", int("--miners"))
    .option("-l, --light <l>", "how many of them are light nodes (default 0)", int("--light"))
    .option(
      "--validators <v>",
      "a dolev-strong network: the first V nodes are validators (keys written into the genesis), no miners",
      int("--validators"),
    )
    .option("--round-ms <ms>", "Δ of a --validators network (default 1000)", int("--round-ms"))
    .option(
      "--port-base <port>",
      "ports of node i start at base + 1000·i (default 20000)",
      int("--port-base"),
    )
    .option("--timeout <seconds>", "how long to wait for readiness", int("--timeout"), 180)
    .action(
      async (opts: {
        nodes?: number;
        miners?: number;
        light?: number;
        validators?: number;
        roundMs?: number;
        portBase?: number;
        timeout: number;
      }) => {
        const net = new Devnet({ dir: devnet.opts().dir });
        const tty = process.stderr.isTTY;
        let lastPrint = 0;
        const state = await net.up({
          ...opts,
          readyTimeoutMs: opts.timeout * 1000,
          onProgress: ({ ready, total, elapsedMs }) => {
            const line = `waiting for services: ${ready}/${total} ready (${(elapsedMs / 1000).toFixed(0)} s)`;
            if (tty) process.stderr.write(`\r${line}`);
            else if (elapsedMs - lastPrint >= 2_000 || ready === total) {
              lastPrint = elapsedMs;
              process.stderr.write(`${line}\n`);
            }
          },
        });
        if (tty) process.stderr.write("\n");
        process.stdout.write(`${upTable(state)}\n\ndevnet ${state.chainId} is up in ${net.dir}\n`);
        process.stdout.write(`admin token (P2PNODE_API_TOKEN): ${state.apiToken}\n`);
        process.stdout.write(`faucet wallet (funded in genesis): ${net.faucetFile}\n`);
      },
    );

  devnet
    .command("status")
    .description("one row per node: role, process, readiness, height, peers, tip, memory")
    .option(
      "--compose",
      "instead, list the replicas of `docker compose up --scale node=N` and their REST ports",
    )
    .action(async (opts: { compose?: boolean }) => {
      if (opts.compose) {
        process.stdout.write(`${composeStatus()}\n`);
        return;
      }
      const net = new Devnet({ dir: devnet.opts().dir });
      process.stdout.write(`${await statusTable(net)}\n`);
    });

  devnet
    .command("down")
    .description("stop every process the devnet started (checked by pid)")
    .option("--wipe", "also delete the devnet folder and all node data")
    .action(async (opts: { wipe?: boolean }) => {
      const net = new Devnet({ dir: devnet.opts().dir });
      const pids = await net.down({ wipe: opts.wipe === true });
      process.stdout.write(`stopped ${pids.length} processes${opts.wipe ? "; devnet data deleted" : ""}\n`);
    });

  devnet
    .command("logs")
    .description("print the last lines of each node's log (supervisor, nats and services, prefixed)")
    .argument("[node]", "node name, e.g. node0 (default: all)")
    .option("--lines <n>", "lines per node", int("--lines"), 40)
    .action((node: string | undefined, opts: { lines: number }) => {
      const net = new Devnet({ dir: devnet.opts().dir });
      const nodes = net.requireState().nodes.filter((n) => node === undefined || n.name === node);
      if (nodes.length === 0) throw new DevnetError("BAD_ARGS", `no node named ${node}`);
      for (const n of nodes)
        process.stdout.write(`==> ${n.name} (${n.logFile}) <==\n${net.tail(n, opts.lines)}\n`);
    });

  devnet
    .command("genesis")
    .description(
      "write a dolev-strong network for Compose or Kubernetes: one identity key per validator and the genesis listing them",
    )
    .requiredOption("--validators <v>", "number of validators", int("--validators"))
    .requiredOption("--out <dir>", "folder to write genesis.json and validator-<i>.key into (made 0700)")
    .option("--chain-id <id>", "chain id (default: validators-<random>)")
    .option("--round-ms <ms>", "Δ (default 1000); slots of (f + 2)·Δ, f = ⌊(V − 1)/2⌋", int("--round-ms"))
    .action((opts: { validators: number; out: string; chainId?: string; roundMs?: number }) => {
      const files = writeValidatorNetwork(resolve(opts.out), {
        validators: opts.validators,
        chainId: opts.chainId ?? `validators-${randomBytes(3).toString("hex")}`,
        ...(opts.roundMs !== undefined ? { roundMs: opts.roundMs } : {}),
      });
      process.stdout.write(`${files.genesisFile}\n`);
      files.keyFiles.forEach((f, i) => void process.stdout.write(`${f}  ${files.publicKeys[i]}\n`));
    });

  registerDevnetDashboard(devnet);
}

/** Reads `docker compose ps` in the current directory (the compose project) and tabulates it. */
function composeStatus(): string {
  const r = spawnSync("docker", ["compose", "ps", "--format", "json"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.stderr.trim().split("\n")[0];
    throw new DevnetError(
      "BAD_ARGS",
      `docker compose ps failed (needs Docker Compose v2 and a running engine): ${why}`,
    );
  }
  return formatComposeTable(composeRows(r.stdout));
}

function upTable(state: DevnetState): string {
  const rows = state.nodes.map((n) => {
    const p = n.portBase;
    return [n.name, n.role, `:${p + 101}`, `:${p + 401}/udp`, servicesCell(n.role, p)];
  });
  return formatTable(["node", "role", "p2p", "dht", "REST (gateway chain miner dht zkp compute)"], rows);
}

function servicesCell(role: string, base: number): string {
  const offsets: [string, number][] = [
    ["gateway", 100],
    ["chain", 200],
    ["miner", 300],
    ["dht", 400],
    ["zkp", 500],
    ["compute", 600],
  ];
  const light = new Set(["gateway", "chain", "dht"]);
  return offsets
    .filter(([s]) => role !== "light" || light.has(s))
    .map(([s, o]) => `${s}=http://127.0.0.1:${base + o}`)
    .join(" ");
}

/** Height, tip and peer count of a node, blank where a service is not there (yet) or not answering. */
async function chainFacts(
  n: DevnetNode,
): Promise<{ height: string; tip: string; peers: string; sync: string }> {
  const urls = serviceUrls(n);
  const tip = urls.chain
    ? await new ChainClient(urls.chain, { timeoutMs: 2_000 }).tip().catch(() => undefined)
    : undefined;
  const peers = urls.gateway
    ? await fetch(`${urls.gateway}/peers`, { signal: AbortSignal.timeout(2_000) })
        .then(async (r) => (r.ok ? ((await r.json()) as { peers?: unknown[] }).peers?.length : undefined))
        .catch(() => undefined)
    : undefined;
  // GET /sync on the chain: "synced", or "h/best @ n blk/s" while catching up.
  const sync = urls.chain
    ? await fetch(`${urls.chain}/sync`, { signal: AbortSignal.timeout(2_000) })
        .then(async (r) => {
          if (!r.ok) return "";
          const s = (await r.json()) as {
            syncing: boolean;
            height: number;
            bestKnownHeight: number;
            blocksPerSecond: number;
          };
          return s.syncing ? `${s.height}/${s.bestKnownHeight} @ ${s.blocksPerSecond} blk/s` : "synced";
        })
        .catch(() => "")
    : "";
  return {
    height: tip ? String(tip.height) : "",
    tip: tip ? `${tip.hash.slice(0, 12)}…` : "",
    peers: peers === undefined ? "" : String(peers),
    sync,
  };
}

async function statusTable(net: Devnet): Promise<string> {
  const state = net.requireState();
  const services = await net.services(state);
  const facts = await Promise.all(state.nodes.map(chainFacts));
  const rows = state.nodes.map((n, i) => {
    const mine = services.filter((s) => s.node.name === n.name);
    const running = n.pid !== undefined && isSupervisor(n.pid);
    const pids = running ? allPids(readPids(n.dataDir)).filter(isAlive) : [];
    const mem = pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
    return [
      n.name,
      n.role,
      running ? `running (${n.pid})` : "stopped",
      `${mine.filter((s) => s.ready).length}/${mine.length}`,
      facts[i]!.height,
      facts[i]!.sync,
      facts[i]!.peers,
      facts[i]!.tip,
      running ? `${(mem / 2 ** 20).toFixed(0)} MiB` : "",
    ];
  });
  return formatTable(["node", "role", "process", "ready", "height", "sync", "peers", "tip", "memory"], rows);
}
