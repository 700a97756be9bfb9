import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateMnemonic, readWallet, writeWallet } from "@p2pnode/crypto";
import {
  allPids,
  DEFAULT_PORT_BASE,
  type DevnetNode,
  defaultCliMain,
  devnetGenesis,
  isAlive,
  makeNode,
  nodePorts,
  readPids,
  rolesFor,
  waitUntil,
} from "@p2pnode/devnet";
import { API_LISTENER, type Genesis, ROLE_SERVICES, type ServiceName } from "@p2pnode/types";
import type { NamespaceNet } from "./netns.js";

/**
 * The nodes of a chaos run: devnet's layout (data dirs, port blocks, genesis, faucet), each node
 * a `p2pnode node start` supervisor like a container, started either inside its network
 * namespace on its own address or, without namespaces, on loopback as a devnet.
 */
export class ChaosCluster {
  readonly nodes: DevnetNode[];
  readonly chainId = `chaos-${randomBytes(3).toString("hex")}`;
  readonly apiToken = randomBytes(24).toString("base64url");
  readonly genesisFile: string;
  readonly faucetFile: string;
  readonly genesis: Genesis;
  private readonly cliMain = process.env.P2PNODE_CLI_MAIN ?? defaultCliMain();
  /** Supervisor pids of running nodes. */
  private readonly supervisors = new Map<number, number>();

  constructor(
    readonly dir: string,
    count: number,
    miners: number,
    readonly net: NamespaceNet | undefined,
    portBase = DEFAULT_PORT_BASE,
  ) {
    mkdirSync(dir, { recursive: true });
    this.nodes = rolesFor(count, miners, 0).map((role, i) => makeNode(dir, i, role, portBase));
    this.faucetFile = join(dir, "faucet.json");
    writeWallet(this.faucetFile, generateMnemonic(24), 0, true);
    const faucet = Buffer.from(readWallet(this.faucetFile).key.address).toString("hex");
    this.genesis = devnetGenesis(this.chainId, Date.now(), faucet);
    this.genesisFile = join(dir, "genesis.json");
    writeFileSync(this.genesisFile, `${JSON.stringify(this.genesis, null, 2)}\n`);
  }

  host(i: number): string {
    return this.net ? this.net.ip(i) : "127.0.0.1";
  }

  url(i: number, service: ServiceName): string {
    const node = this.nodes[i]!;
    return `http://${this.host(i)}:${nodePorts(node)[API_LISTENER[service]]}`;
  }

  services(i: number): readonly ServiceName[] {
    return ROLE_SERVICES[this.nodes[i]!.role];
  }

  private env(i: number): NodeJS.ProcessEnv {
    const node = this.nodes[i]!;
    const host = this.host(i);
    const boot = `${this.host(0)}:${nodePorts(this.nodes[0]!).dhtUdp}`;
    // Static peers to every other node: after a cut or a partition, links come back by themselves.
    const peers = this.nodes
      .filter((_, j) => j !== i)
      .map((n, _k) => `${this.host(n.index)}:${nodePorts(n).p2p}`)
      .join(",");
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      P2PNODE_DATA_DIR: node.dataDir,
      P2PNODE_ROLE: node.role,
      P2PNODE_GENESIS: this.genesisFile,
      P2PNODE_PORT_BASE: String(node.portBase),
      P2PNODE_API_HOST: host,
      P2PNODE_P2P_HOST: host,
      P2PNODE_API_TOKEN: this.apiToken,
      P2PNODE_BOOTNODES: i === 0 ? "" : boot,
      P2PNODE_P2P_PEERS: peers,
      // Devnet conveniences; its relaxed diversity rules only ever apply to loopback addresses.
      P2PNODE_DEVNET: "1",
      P2PNODE_LOG_LEVEL: process.env.P2PNODE_LOG_LEVEL ?? "warn",
      ...(process.env.P2PNODE_NATS_SERVER_BIN
        ? { P2PNODE_NATS_SERVER_BIN: process.env.P2PNODE_NATS_SERVER_BIN }
        : {}),
    };
  }

  start(i: number): void {
    const node = this.nodes[i]!;
    mkdirSync(node.dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(node.logFile, "a");
    try {
      const cmd = [
        ...(this.net?.exec(i) ?? []),
        process.execPath,
        "--max-semi-space-size=1",
        this.cliMain,
        "node",
        "start",
      ];
      const child = spawn(cmd[0]!, cmd.slice(1), {
        env: this.env(i),
        detached: true,
        stdio: ["ignore", fd, fd],
      });
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start ${node.name}`);
      this.supervisors.set(i, child.pid);
    } finally {
      closeSync(fd);
    }
  }

  /** Every pid of node i: the supervisor, its NATS and its services. */
  pids(i: number): number[] {
    const sup = this.supervisors.get(i);
    const recorded = allPids(readPids(this.nodes[i]!.dataDir));
    return [...new Set([...(sup ? [sup] : []), ...recorded])].filter(isAlive);
  }

  signal(i: number, sig: NodeJS.Signals): void {
    for (const pid of this.pids(i)) {
      try {
        process.kill(pid, sig);
      } catch {
        // gone meanwhile
      }
    }
  }

  /** SIGKILL to every process of the node at once (a crash: no shutdown code runs). */
  async kill(i: number): Promise<void> {
    const pids = this.pids(i);
    this.signal(i, "SIGKILL");
    await waitUntil(() => pids.every((p) => !isAlive(p)), 10_000, 50);
    this.supervisors.delete(i);
  }

  /** SIGTERM to the supervisor, which stops its services in order. */
  async stop(i: number, timeoutMs = 30_000): Promise<boolean> {
    const pids = this.pids(i);
    const sup = this.supervisors.get(i);
    if (sup) {
      try {
        process.kill(sup, "SIGTERM");
      } catch {
        // gone
      }
    }
    const ok = await waitUntil(() => pids.every((p) => !isAlive(p)), timeoutMs, 100);
    if (!ok) await this.kill(i);
    this.supervisors.delete(i);
    return ok;
  }

  /** Does every service of node i answer /ready with ready: true? */
  async ready(i: number): Promise<boolean> {
    const answers = await Promise.all(
      this.services(i).map((s) =>
        fetch(`${this.url(i, s)}/ready`, { signal: AbortSignal.timeout(2_000) })
          .then(async (r) => r.ok && ((await r.json()) as { ready?: boolean }).ready === true)
          .catch(() => false),
      ),
    );
    return answers.every(Boolean);
  }

  /** Does node i's chain answer its tip (the liveness the invariants ask for)? */
  async answers(i: number): Promise<boolean> {
    return fetch(`${this.url(i, "chain")}/tip`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
  }

  /** Processes of this run still alive (must be none after stopAll). */
  leftovers(): number[] {
    return this.nodes.flatMap((_, i) => this.pids(i));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.stop(i, 20_000)));
  }
}
