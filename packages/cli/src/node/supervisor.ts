import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { installIdentity, loadOrCreateIdentity, type NodeKey } from "@p2pnode/crypto";
import { PIDS_FILE, type PidsRecord } from "@p2pnode/devnet";
import { Bus } from "@p2pnode/kit/bus";
import type { NodeConfig } from "@p2pnode/kit/config";
import type { Logger } from "@p2pnode/kit/log";
import { GenesisError, networkOf, readGenesisFile } from "@p2pnode/rules";
import {
  CodedError,
  LISTENERS,
  type NodeNetwork,
  NodeSubjects,
  ROLE_SERVICES,
  SERVICE_ENTRY,
  type ServiceName,
} from "@p2pnode/types";
import { VERSION } from "../version.js";
import { SupervisorError } from "./errors.js";
import { ManagedChild } from "./managed-child.js";
import {
  dieWithParent,
  findNatsServer,
  loadOrCreateNatsToken,
  waitForPort,
  writeNatsConfig,
} from "./nats-server.js";
import { assertPortsFree, listenersFor } from "./ports.js";
import { serviceNodeFlagsOf } from "./service-flags.js";
import { PORT_RELEASE_GRACE_MS, reapStaleChildren } from "./stale-children.js";
import { HEAD_START_MAX_MS, startOrder } from "./start-order.js";
import { checkValidatorRole } from "./validator-role.js";

export { VERSION };

export interface SupervisorOptions {
  config: NodeConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  out: (line: string) => void;
  /** Where services/<name>/dist/bundle.js live; defaults to the workspace layout. */
  servicesDir?: string;
}

export function defaultServicesDir(env: NodeJS.ProcessEnv): string {
  if (env.P2PNODE_SERVICES_DIR) return resolve(env.P2PNODE_SERVICES_DIR);
  // packages/cli/dist/node/supervisor.js → <root>/services
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../../services");
}

/**
 * `p2pnode node start`: identity, the network (its genesis, read and checked once here), private
 * nats-server, the role's services as child processes, and the `node.v1.identity.get` and
 * `node.v1.network.get` endpoints that tell every service which node and network it belongs to.
 */
export class Supervisor {
  private nats: ManagedChild | undefined;
  private readonly services: ManagedChild[] = [];
  private bus: Bus | undefined;
  private identity: NodeKey | undefined;
  private readonly pids: PidsRecord = { supervisor: process.pid, services: {} };
  private readonly startedAt = Date.now();
  private stopping = false;
  /** How many times a service asked for the network: each asks once, when its code is loaded. */
  private networkAsks = 0;

  constructor(private readonly o: SupervisorOptions) {}

  async start(): Promise<void> {
    const { config, log } = this.o;
    const names = ROLE_SERVICES[config.role];
    const servicesDir = this.o.servicesDir ?? defaultServicesDir(this.o.env);
    for (const name of names) {
      const main = join(servicesDir, name, SERVICE_ENTRY);
      if (!existsSync(main))
        throw new SupervisorError("SERVICE_MISSING", `${main} not found: run \`pnpm build\` first`);
    }
    const network = loadNetwork(config.genesisPath);
    const ownNats = config.natsUrl === undefined;
    const natsBin = ownNats ? findNatsServer(this.o.env) : undefined;
    // A previous run killed with SIGKILL may have left nats-server and services holding the ports.
    const reaped = await reapStaleChildren(config.dataDir, log);
    await assertPortsFree(
      listenersFor(names, ownNats),
      config.ports,
      { api: config.apiHost, p2p: config.p2pHost },
      // The kernel closes a killed process's sockets only when its last thread is torn down,
      // which can trail its exit; give what was just reaped that long before calling a port taken.
      reaped.length > 0 ? PORT_RELEASE_GRACE_MS : 0,
    );

    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.identity = loadIdentity(config.dataDir, config.identityKeyFile);
    checkValidatorRole(config.role, network, this.identity.publicKey);
    log.info(
      {
        nodeId: this.identity.nodeIdHex,
        role: config.role,
        dataDir: config.dataDir,
        chainId: network.chainId,
        genesisHash: network.genesisHash,
        // Epoch ms this process started and ms since then: the origin of the node-start bench.
        processStartAt: Math.round(performance.timeOrigin),
        ms: Math.round(performance.now()),
      },
      "starting node",
    );

    // nats-server starts while the first services load their code (a second or more of CPU): they
    // connect once it listens (the bus waits for its first connect) and ask for the identity and
    // network, which the supervisor serves as soon as it is connected itself.
    const { url, token } = ownNats
      ? this.spawnNats(natsBin!)
      : { url: config.natsUrl!, token: config.natsToken };
    const childEnv = this.childEnv(url, token);
    const [first, rest] = startOrder(names);
    this.spawnServices(first, servicesDir, childEnv);
    if (ownNats) {
      await waitForPort(config.ports.nats, 10_000, () => this.nats!.isAlive());
      log.info({ ms: Math.round(performance.now()) }, "nats-server ready");
    }
    this.bus = await Bus.connect({ url, token, name: "supervisor", version: VERSION, log });
    await this.bus.serve(NodeSubjects.identityGet, () => ({
      nodeId: this.identity!.nodeIdHex,
      publicKey: Buffer.from(this.identity!.publicKey).toString("hex"),
      role: config.role,
      version: VERSION,
      startedAt: this.startedAt,
    }));
    await this.bus.serve(NodeSubjects.networkGet, () => {
      this.networkAsks++;
      return network;
    });
    if (rest.length === 0) return;
    await this.headStart(first);
    if (this.stopping) return;
    this.spawnServices(rest, servicesDir, childEnv);
  }

  /**
   * Waits until the services started first have asked for the network — the end of loading their
   * code, most of their start-up CPU — or exited, or HEAD_START_MAX_MS passed. Six services
   * loading at once on two cores leave the chain a third of a core, so a restarted node answered
   * its tip seconds later; held back until the chain has asked, the others share the CPU with its
   * last steps only (app, store, listen).
   */
  private async headStart(first: readonly ServiceName[]): Promise<void> {
    const deadline = Date.now() + HEAD_START_MAX_MS;
    const waiting = () =>
      this.networkAsks < first.length &&
      !this.stopping &&
      Date.now() < deadline &&
      first.every((name) => this.services.find((c) => c.name === name)?.isAlive() === true);
    while (waiting()) await new Promise((r) => setTimeout(r, 20));
  }

  private spawnServices(names: readonly ServiceName[], servicesDir: string, env: NodeJS.ProcessEnv): void {
    const { config, log } = this.o;
    for (const name of names) {
      const child = new ManagedChild(
        {
          name,
          command: process.execPath,
          args: [
            ...serviceNodeFlagsOf(name, config.serviceNodeFlags),
            join(servicesDir, name, SERVICE_ENTRY),
          ],
          env,
        },
        log,
        this.o.out,
        (n, pid) => this.recordPid(n as ServiceName, pid),
      );
      this.services.push(child);
      child.start();
    }
    log.info({ services: names, ms: Math.round(performance.now()) }, "services started");
  }

  /** Starts nats-server without waiting for it: its URL and token are known before it listens. */
  private spawnNats(bin: string): { url: string; token: string } {
    const { config, log } = this.o;
    const port = config.ports.nats;
    const token = loadOrCreateNatsToken(config.dataDir);
    const conf = writeNatsConfig(config.dataDir, port, token);
    const guarded = dieWithParent(bin, ["-c", conf]);
    this.nats = new ManagedChild(
      {
        name: "nats",
        command: guarded.command,
        args: guarded.args,
        env: { PATH: process.env.PATH ?? "" },
        stopGraceMs: 5_000,
      },
      log,
      this.o.out,
      (_n, pid) => {
        this.pids.nats = pid;
        this.writePids();
      },
    );
    this.nats.start();
    return { url: `nats://127.0.0.1:${port}`, token };
  }

  /**
   * Children get the resolved config explicitly, so they never re-derive it differently; not the
   * genesis file, whose one reading is the network they ask for over NATS.
   */
  private childEnv(natsUrl: string, natsToken: string | undefined): NodeJS.ProcessEnv {
    const { config } = this.o;
    const env: NodeJS.ProcessEnv = {
      ...this.o.env,
      P2PNODE_NATS_URL: natsUrl,
      P2PNODE_DATA_DIR: config.dataDir,
      P2PNODE_SUPERVISED: "1",
      // Services exit when this process is gone (kit's supervision watch), even if they start late.
      P2PNODE_SUPERVISOR_PID: String(process.pid),
    };
    delete env.P2PNODE_GENESIS;
    if (natsToken) env.P2PNODE_NATS_TOKEN = natsToken;
    for (const [name, l] of Object.entries(LISTENERS))
      env[l.env] = String(config.ports[name as keyof typeof LISTENERS]);
    return env;
  }

  private recordPid(name: ServiceName, pid: number): void {
    this.pids.services[name] = pid;
    this.writePids();
  }

  private writePids(): void {
    const file = join(this.o.config.dataDir, PIDS_FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(this.pids));
    renameSync(`${file}.tmp`, file);
  }

  /** Stops services in reverse start order, then the bus, then nats-server. */
  async stop(): Promise<void> {
    this.stopping = true;
    // A start refused before it ran anything (no genesis, a port taken) stops nothing: saying
    // "node stopped" there would precede the one line that says why it did not start.
    const ranSomething = this.services.length > 0 || this.bus !== undefined || this.nats !== undefined;
    for (const child of [...this.services].reverse()) await child.stop();
    await this.bus?.close().catch(() => undefined);
    await this.nats?.stop();
    if (ranSomething) this.o.log.info("node stopped");
  }
}

/** The node's network from its genesis file: every service gets it over NATS, none reads the file. */
function loadNetwork(file: string | undefined): NodeNetwork {
  if (file === undefined) {
    throw new SupervisorError(
      "GENESIS_INVALID",
      "P2PNODE_GENESIS is not set: a node needs its network's genesis file",
    );
  }
  try {
    return networkOf(readGenesisFile(file));
  } catch (err) {
    if (err instanceof GenesisError)
      throw new SupervisorError("GENESIS_INVALID", `P2PNODE_GENESIS=${err.message}`);
    throw err;
  }
}

/** The node identity: installed from P2PNODE_IDENTITY_KEY_FILE when set, else the data dir's own. */
function loadIdentity(dataDir: string, keyFile: string | undefined): NodeKey {
  try {
    return keyFile ? installIdentity(dataDir, keyFile) : loadOrCreateIdentity(dataDir);
  } catch (err) {
    if (err instanceof CodedError && err.code === "BAD_KEY") {
      const what = keyFile ? `P2PNODE_IDENTITY_KEY_FILE=${keyFile}` : "identity";
      throw new SupervisorError("IDENTITY_INVALID", `${what}: ${err.message}`);
    }
    throw err;
  }
}
