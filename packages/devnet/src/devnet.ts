import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateMnemonic, readWallet, writeWallet } from "@p2pnode/crypto";
import { ServiceClient } from "@p2pnode/sdk";
import type { Genesis, ServiceName } from "@p2pnode/types";
import { ephemeralOverlap, ephemeralPortRange } from "./ephemeral-ports.js";
import { devnetGenesis } from "./genesis.js";
import { DEFAULT_PORT_BASE, type DevnetNode, makeNode, nodePorts, rolesFor, serviceUrls } from "./layout.js";
import { allPids, isAlive, isSupervisor, readPids, waitUntil } from "./processes.js";
import { type DevnetState, loadState, saveState } from "./state.js";
import { validatorGenesis, validatorKeys, validatorRoles } from "./validators.js";

export interface DevnetOptions {
  /** The devnet folder: state file, genesis and one data dir per node. */
  dir: string;
  /** The `p2pnode` CLI entry; defaults to packages/cli/dist/main.js of this workspace. */
  cliMain?: string;
  logLevel?: string;
}

export interface UpOptions {
  nodes?: number;
  miners?: number;
  light?: number;
  /** A dolev-strong devnet: the first V nodes are validators whose keys the genesis lists; no miners. */
  validators?: number;
  /** Δ of a dolev-strong devnet (default 1,000 ms: room for a loaded laptop). */
  roundMs?: number;
  portBase?: number;
  readyTimeoutMs?: number;
  /**
   * Nodes (by name) created with the others — in the genesis, with their data dirs and ports —
   * but left stopped: late joiners, started with `startNode` once the network has a history.
   */
  hold?: string[];
  /** Overrides of the genesis consensus on creation (tests: an "ff…" target mines instantly). */
  consensus?: Partial<Genesis["consensus"]>;
  onProgress?: (p: { ready: number; total: number; elapsedMs: number }) => void;
}

export interface ServiceStatus {
  node: DevnetNode;
  service: ServiceName;
  url: string;
  ready: boolean;
}

/** Before anything is written or started: node ports inside the ephemeral range are refused. */
function refuseEphemeralPorts(portBase: number, nodes: number): void {
  const why = ephemeralOverlap(portBase, nodes, ephemeralPortRange());
  if (why) throw new DevnetError("BAD_ARGS", why);
}

export class DevnetError extends Error {
  constructor(
    readonly code: "NOT_READY" | "NO_DEVNET" | "BAD_ARGS" | "STOP_FAILED",
    message: string,
  ) {
    super(message);
    this.name = "DevnetError";
  }
}

export function defaultCliMain(): string {
  // packages/devnet/{src,dist}/devnet.* → packages/cli/dist/main.js
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../cli/dist/main.js");
}

/**
 * N local nodes on loopback, each a `p2pnode node start` supervisor (the container's command) with
 * its own data dir and port block. Used by the CLI, the e2e tests and the benchmarks.
 */
export class Devnet {
  readonly dir: string;
  private readonly cliMain: string;

  constructor(private readonly o: DevnetOptions) {
    this.dir = resolve(o.dir);
    this.cliMain = o.cliMain ?? process.env.P2PNODE_CLI_MAIN ?? defaultCliMain();
  }

  get state(): DevnetState | undefined {
    return loadState(this.dir);
  }

  /** Creates the devnet (or reuses the existing one with its data), starts what is not running, waits until ready. */
  async up(opts: UpOptions = {}): Promise<DevnetState> {
    if (!existsSync(this.cliMain))
      throw new DevnetError("BAD_ARGS", `${this.cliMain} not found: run \`pnpm build\` first`);
    const state = this.prepare(opts);
    const hold = new Set(opts.hold ?? []);
    const unknown = [...hold].filter((name) => !state.nodes.some((n) => n.name === name));
    if (unknown.length > 0) throw new DevnetError("BAD_ARGS", `hold: no node named ${unknown.join(", ")}`);
    const started = state.nodes.filter((n) => !hold.has(n.name));
    for (const node of started) {
      if (node.pid !== undefined && isSupervisor(node.pid)) continue;
      node.pid = this.spawnNode(state, node);
    }
    saveState(this.dir, state);
    await this.waitReady({ ...state, nodes: started }, opts.readyTimeoutMs ?? 180_000, opts.onProgress);
    return state;
  }

  private prepare(opts: UpOptions): DevnetState {
    const existing = loadState(this.dir);
    if (existing) {
      const want = opts.nodes ?? existing.nodes.length;
      if (want < existing.nodes.length) {
        throw new DevnetError(
          "BAD_ARGS",
          `the devnet in ${this.dir} has ${existing.nodes.length} nodes; \`devnet down --wipe\` first to start with fewer`,
        );
      }
      if (want > existing.nodes.length) refuseEphemeralPorts(existing.portBase, want);
      for (let i = existing.nodes.length; i < want; i++) {
        existing.nodes.push(makeNode(this.dir, i, "full", existing.portBase));
      }
      return existing;
    }
    const n = opts.nodes ?? 3;
    let roles: ReturnType<typeof rolesFor>;
    try {
      roles =
        opts.validators !== undefined
          ? validatorRoles(n, opts.validators, opts.miners, opts.light ?? 0)
          : rolesFor(n, opts.miners ?? Math.min(1, n), opts.light ?? 0);
    } catch (err) {
      throw new DevnetError("BAD_ARGS", (err as Error).message);
    }
    const portBase = opts.portBase ?? DEFAULT_PORT_BASE;
    if (portBase < 1024 || portBase + 1000 * n > 65000) {
      throw new DevnetError(
        "BAD_ARGS",
        `--port-base ${portBase} leaves no room for ${n} nodes below port 65000`,
      );
    }
    refuseEphemeralPorts(portBase, n);
    mkdirSync(this.dir, { recursive: true });
    const chainId = `devnet-${randomBytes(3).toString("hex")}`;
    const genesisFile = join(this.dir, "genesis.json");
    const faucet = this.createFaucet();
    const nodes = roles.map((role, i) => makeNode(this.dir, i, role, portBase));
    const genesis =
      opts.validators !== undefined
        ? validatorGenesis(chainId, faucet, validatorKeys(nodes), opts.roundMs)
        : devnetGenesis(chainId, Date.now(), faucet);
    genesis.consensus = { ...genesis.consensus, ...opts.consensus };
    writeFileSync(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
    return {
      version: 1,
      chainId,
      apiToken: randomBytes(24).toString("base64url"),
      portBase,
      genesisFile,
      nodes,
    };
  }

  /** The faucet wallet (`<dir>/faucet.json`, mode 0600), funded in genesis; returns its address. */
  get faucetFile(): string {
    return join(this.dir, "faucet.json");
  }

  private createFaucet(): string {
    writeWallet(this.faucetFile, generateMnemonic(24), 0, true);
    return Buffer.from(readWallet(this.faucetFile).key.address).toString("hex");
  }

  /** The environment of node i: exactly the variables a container of that node gets. */
  nodeEnv(state: DevnetState, node: DevnetNode): NodeJS.ProcessEnv {
    const boot = state.nodes[0]!;
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      P2PNODE_DATA_DIR: node.dataDir,
      P2PNODE_ROLE: node.role,
      P2PNODE_GENESIS: state.genesisFile,
      P2PNODE_PORT_BASE: String(node.portBase),
      P2PNODE_API_HOST: "127.0.0.1",
      P2PNODE_P2P_HOST: "127.0.0.1",
      P2PNODE_API_TOKEN: state.apiToken,
      P2PNODE_BOOTNODES: node.index === 0 ? "" : `127.0.0.1:${nodePorts(boot).dhtUdp}`,
      P2PNODE_DEVNET: "1",
      P2PNODE_LOG_LEVEL: this.o.logLevel ?? process.env.P2PNODE_LOG_LEVEL ?? "info",
      // The machine's, not the network's: where nats-server is, and the service processes' Node.js
      // flags (memory against speed), passed on when the devnet's own environment sets them.
      ...passedOn("P2PNODE_NATS_SERVER_BIN"),
      ...passedOn("P2PNODE_SERVICE_NODE_FLAGS"),
    };
  }

  private spawnNode(state: DevnetState, node: DevnetNode): number {
    mkdirSync(node.dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(node.logFile, "a");
    try {
      const child = spawn(process.execPath, ["--max-semi-space-size=1", this.cliMain, "node", "start"], {
        env: this.nodeEnv(state, node),
        detached: true,
        stdio: ["ignore", fd, fd],
      });
      child.unref();
      if (child.pid === undefined) throw new DevnetError("NOT_READY", `could not start ${node.name}`);
      return child.pid;
    } finally {
      closeSync(fd);
    }
  }

  /** Every service of every node with its /ready verdict. */
  async services(state = this.requireState()): Promise<ServiceStatus[]> {
    const jobs = state.nodes.flatMap((node) =>
      Object.entries(serviceUrls(node)).map(async ([service, url]) => {
        const ready = await new ServiceClient(url, { timeoutMs: 2_000 })
          .ready()
          .then((r) => r.ready)
          .catch(() => false);
        return { node, service: service as ServiceName, url, ready };
      }),
    );
    return Promise.all(jobs);
  }

  private async waitReady(
    state: DevnetState,
    timeoutMs: number,
    onProgress: UpOptions["onProgress"],
  ): Promise<void> {
    const t0 = Date.now();
    let last: ServiceStatus[] = [];
    const ok = await waitUntil(
      async () => {
        last = await this.services(state);
        const ready = last.filter((s) => s.ready).length;
        onProgress?.({ ready, total: last.length, elapsedMs: Date.now() - t0 });
        const crashed = state.nodes.find((n) => n.pid !== undefined && !isAlive(n.pid));
        if (crashed) {
          throw new DevnetError(
            "NOT_READY",
            `${crashed.name} exited during start-up:\n${this.tail(crashed, 15)}`,
          );
        }
        // Services that answer /ready may be left over from a supervisor killed earlier: count
        // them only once this node's own supervisor has written its pids (past its port checks).
        const current = state.nodes.every(
          (n) => n.pid === undefined || readPids(n.dataDir)?.supervisor === n.pid,
        );
        return current && ready === last.length;
      },
      timeoutMs,
      500,
    );
    if (!ok) {
      const missing = last.filter((s) => !s.ready).map((s) => `${s.node.name}/${s.service}`);
      throw new DevnetError("NOT_READY", `not ready after ${timeoutMs / 1000} s: ${missing.join(", ")}`);
    }
  }

  /**
   * Stops every node (SIGTERM to each supervisor, which stops its services in order) and checks
   * by pid that nothing is left; stragglers in a node's process group are killed.
   */
  async down(opts: { wipe?: boolean; timeoutMs?: number } = {}): Promise<number[]> {
    const state = loadState(this.dir);
    if (!state) {
      if (opts.wipe) rmSync(this.dir, { recursive: true, force: true });
      return [];
    }
    const pids = new Set<number>();
    for (const node of state.nodes) {
      for (const p of allPids(readPids(node.dataDir))) pids.add(p);
      if (node.pid !== undefined && isSupervisor(node.pid)) {
        pids.add(node.pid);
        process.kill(node.pid, "SIGTERM");
      }
    }
    const alive = () => [...pids].filter(isAlive);
    if (!(await waitUntil(() => alive().length === 0, opts.timeoutMs ?? 30_000, 100))) {
      for (const pid of alive()) kill(pid);
      await waitUntil(() => alive().length === 0, 5_000, 100);
    }
    const left = alive();
    if (left.length > 0)
      throw new DevnetError("STOP_FAILED", `processes still alive after down: ${left.join(" ")}`);
    for (const node of state.nodes) node.pid = undefined;
    saveState(this.dir, state);
    if (opts.wipe) rmSync(this.dir, { recursive: true, force: true });
    return [...pids];
  }

  /** Stops one node (SIGTERM to its supervisor) and waits until all its processes are gone. */
  async stopNode(name: string, timeoutMs = 30_000): Promise<void> {
    const state = this.requireState();
    const node = this.nodeNamed(state, name);
    const pids = allPids(readPids(node.dataDir));
    if (node.pid !== undefined && isSupervisor(node.pid)) process.kill(node.pid, "SIGTERM");
    if (!(await waitUntil(() => pids.every((p) => !isAlive(p)), timeoutMs, 100))) {
      throw new DevnetError("STOP_FAILED", `${name} did not stop within ${timeoutMs / 1000} s`);
    }
    node.pid = undefined;
    saveState(this.dir, state);
  }

  /** Starts one stopped node again with its data and waits until its services are ready. */
  async startNode(name: string, readyTimeoutMs = 120_000): Promise<void> {
    const state = this.requireState();
    const node = this.nodeNamed(state, name);
    if (node.pid === undefined || !isSupervisor(node.pid)) node.pid = this.spawnNode(state, node);
    saveState(this.dir, state);
    await this.waitReady({ ...state, nodes: [node] }, readyTimeoutMs, undefined);
  }

  private nodeNamed(state: DevnetState, name: string): DevnetNode {
    const node = state.nodes.find((n) => n.name === name);
    if (!node)
      throw new DevnetError(
        "BAD_ARGS",
        `no node named ${name} (have ${state.nodes.map((n) => n.name).join(", ")})`,
      );
    return node;
  }

  /** The last `lines` lines of a node's log. */
  tail(node: DevnetNode, lines = 50): string {
    if (!existsSync(node.logFile)) return "";
    const text = readFileSync(node.logFile, "utf8");
    return text
      .split("\n")
      .slice(-lines - 1)
      .join("\n");
  }

  requireState(): DevnetState {
    const s = loadState(this.dir);
    if (!s) throw new DevnetError("NO_DEVNET", `no devnet in ${this.dir}: run \`p2pnode devnet up\` first`);
    return s;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** `{ [name]: value }` of this process's environment, or nothing when it is unset. */
function passedOn(name: string): NodeJS.ProcessEnv {
  const value = process.env[name];
  return value === undefined ? {} : { [name]: value };
}
