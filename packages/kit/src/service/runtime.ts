import {
  API_LISTENER,
  CodedError,
  type NodeIdentity,
  type NodeNetwork,
  NodeSubjects,
  ServiceInfo,
  type ServiceName,
} from "@p2pnode/types";
import type { Registry } from "prom-client";
import { Bus } from "../bus/index.js";
import { type NodeConfig, NodeEnv, parseEnv, toNodeConfig } from "../config/index.js";
import { KitError } from "../errors.js";
import { type App, createApp, type ReadinessCheck } from "../http/index.js";
import { createLogger, type Logger } from "../log/index.js";
import { fetchNetwork } from "./network.js";
import { markStartup, startupMarks } from "./startup.js";
import { type Supervision, supervisionFrom } from "./supervision.js";

export interface ServiceContext {
  name: ServiceName;
  version: string;
  config: NodeConfig;
  log: Logger;
  bus: Bus;
  app: App;
  metrics: Registry;
  /** Add named checks to /ready. */
  readiness: Record<string, ReadinessCheck>;
  /** The node's identity, once the supervisor has answered over NATS. */
  identity: () => NodeIdentity | undefined;
  /** The network this node is on, from the supervisor before `setup` runs (one genesis, read once). */
  network: NodeNetwork;
  /**
   * May this service acknowledge a write now? Only while its supervisor lives, NATS is connected
   * and the node's identity is known. REST writes are refused with 503 NOT_READY otherwise (kit
   * does it); NATS write endpoints check it themselves (`refuseUnlessWritable`).
   */
  writable: () => boolean;
  supervision: Supervision;
}

/** Methods that change something: refused while the service is not writable. */
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Throws the typed 503 a write gets while the service may not acknowledge it. */
export function refuseUnlessWritable(ctx: Pick<ServiceContext, "writable" | "name">): void {
  if (!ctx.writable())
    throw new CodedError("NOT_READY", `${ctx.name} is not ready: writes are refused until it is`);
}

export interface ServiceDefinition {
  name: ServiceName;
  version: string;
  /** Registers routes, NATS endpoints and readiness checks; returns what to stop on shutdown. */
  setup?: (ctx: ServiceContext) => Promise<(() => Promise<void>) | undefined> | undefined;
}

export interface StartOptions {
  /** How long to wait for the supervisor's `node.v1.network.get` before refusing to start. */
  networkWaitMs?: number;
}

export interface RunningService {
  ctx: ServiceContext;
  url: string;
  stop: () => Promise<void>;
}

/** Starts a service inside this process: config, logs, NATS bus, REST app with /info; no signals. */
export async function startService(
  def: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
  opts: StartOptions = {},
): Promise<RunningService> {
  const config = toNodeConfig(parseEnv(NodeEnv, env));
  const log = createLogger(def.name, config.logLevel);
  const supervision = supervisionFrom(env);
  if (!supervision.alive())
    throw new CodedError("NOT_READY", "the supervisor that started this service is gone");
  if (config.natsUrl === undefined) {
    throw new KitError(
      "CONFIG_INVALID",
      "P2PNODE_NATS_URL is not set: services are started by `p2pnode node start`",
    );
  }
  const bus = await Bus.connect({
    url: config.natsUrl,
    token: config.natsToken,
    name: def.name,
    version: def.version,
    log,
  });
  markStartup("nats");
  let network: NodeNetwork;
  try {
    network = await fetchNetwork(bus, opts.networkWaitMs);
  } catch (err) {
    await bus.close();
    throw err;
  }
  markStartup("network");
  log.info({ chainId: network.chainId, genesisHash: network.genesisHash }, "network received over NATS");
  let identity: NodeIdentity | undefined;
  const startedAt = Date.now();
  const writable = () => supervision.alive() && bus.isConnected && identity !== undefined;
  const readiness: Record<string, ReadinessCheck> = {
    supervisor: () => ({
      ok: supervision.alive(),
      detail: supervision.alive() ? undefined : "supervisor gone",
    }),
    nats: () => ({ ok: bus.isConnected }),
    identity: () => ({
      ok: identity !== undefined,
      detail: identity ? undefined : "waiting for node.v1.identity.get",
    }),
  };
  const { app, metrics } = await createApp({ service: def.name, version: def.version, log, readiness });
  markStartup("app");
  const ctx: ServiceContext = {
    ...def,
    config,
    log,
    bus,
    app,
    metrics,
    readiness,
    identity: () => identity,
    network,
    writable,
    supervision,
  };
  app.addHook("onRequest", async (req, reply) => {
    if (!WRITE_METHODS.has(req.method) || writable()) return;
    return reply.status(503).send({
      error: { code: "NOT_READY", message: `${def.name} is not ready: writes are refused until it is` },
    });
  });

  app.get("/info", { schema: { tags: ["ops"], response: { 200: ServiceInfo } } }, async () => {
    if (!identity) throw new CodedError("NOT_READY", "node identity not known yet");
    return {
      service: def.name,
      version: def.version,
      nodeId: identity.nodeId,
      role: identity.role,
      chainId: network.chainId,
      genesisHash: network.genesisHash,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      pid: process.pid,
    };
  });

  let stopped = false;
  // The supervisor serves the identity before the network: once the network came, the first ask answers.
  identity = await bus.request(NodeSubjects.identityGet, {}, 2_000).catch(() => undefined);
  const fetchIdentity = async () => {
    for (let delay = 100; !stopped && identity === undefined; delay = Math.min(delay * 2, 2_000)) {
      try {
        identity = await bus.request(NodeSubjects.identityGet, {}, 2_000);
        log.info({ nodeId: identity.nodeId, role: identity.role }, "node identity received over NATS");
      } catch {
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  void fetchIdentity();
  markStartup("identity");

  const stopDomain = def.setup ? await def.setup(ctx) : undefined;
  markStartup("setup");
  const port = config.ports[API_LISTENER[def.name]];
  await app.listen({ host: config.apiHost, port });
  markStartup("listening");
  const url = `http://${config.apiHost.includes(":") ? `[${config.apiHost}]` : config.apiHost}:${port}`;
  log.info({ url, role: config.role, startup: startupMarks() }, "service listening");

  const stop = async () => {
    stopped = true;
    await app.close();
    if (stopDomain) await stopDomain();
    await bus.close();
  };
  return { ctx, url, stop };
}
