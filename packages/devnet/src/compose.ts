import {
  API_LISTENER,
  LISTENERS,
  type ListenerName,
  ROLE_SERVICES,
  Role,
  type ServiceName,
} from "@p2pnode/types";
import { formatTable } from "./table.js";

/**
 * Reading `docker compose ps --format json`: which replica of which service publishes each node
 * listener on which host port. Pure (the caller runs docker), so the CLI and tests share it.
 */

/** The compose services that are p2pnode nodes (docker-compose.yml). */
export const COMPOSE_NODE_SERVICES = ["node", "light"] as const;

export interface ComposeRow {
  /** Container name, e.g. `p2pnode-node-3`. */
  name: string;
  /** Compose service: `node` or `light`. */
  service: string;
  /** Replica number within the service (1-based; `docker compose port --index N`). */
  replica: number;
  /** From the `p2pnode.role` label the compose file sets; absent on containers without it. */
  role?: Role;
  /** running, exited, restarting, created, paused, dead. */
  state: string;
  /** healthy, unhealthy, starting; "" when the container has no health check. */
  health: string;
  /** REST API of each service, as `host:port` on the Docker host. */
  ports: Partial<Record<ServiceName, string>>;
  /** Every published node listener (REST, P2P, DHT UDP), as `host:port`. */
  listeners: Partial<Record<ListenerName, string>>;
}

export class ComposePsError extends Error {
  readonly code = "COMPOSE_PS_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "ComposePsError";
  }
}

/** One entry of `Publishers` in compose's ps JSON. */
interface Publisher {
  URL?: string;
  TargetPort?: number;
  PublishedPort?: number;
  Protocol?: string;
}

const LISTENER_BY_PORT = new Map<string, ListenerName>(
  (Object.entries(LISTENERS) as [ListenerName, (typeof LISTENERS)[ListenerName]][]).map(([name, l]) => [
    `${l.port}/${l.proto}`,
    name,
  ]),
);

const SERVICE_BY_LISTENER = new Map<ListenerName, ServiceName>(
  (Object.entries(API_LISTENER) as [ServiceName, ListenerName][]).map(([s, l]) => [l, s]),
);

/**
 * Splits compose's output into container objects: Compose ≥ 2.21 prints one JSON object per line,
 * earlier v2 releases print one JSON array.
 */
export function parseComposePsJson(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const values: unknown[] = [];
  if (trimmed.startsWith("[")) {
    values.push(...asArray(parseJson(trimmed, "the output")));
  } else {
    trimmed.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      const v = parseJson(line, `line ${i + 1}`);
      // A line may itself hold an array (an old compose writing everything on one line).
      values.push(...(Array.isArray(v) ? v : [v]));
    });
  }
  return values.map((v, i) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new ComposePsError(`docker compose ps: entry ${i + 1} is not an object`);
    }
    return v as Record<string, unknown>;
  });
}

/**
 * The node rows of `docker compose ps --format json`, sorted by service (node, then light) and
 * replica. Containers of other services are left out.
 */
export function composeRows(
  psJson: string,
  services: readonly string[] = COMPOSE_NODE_SERVICES,
): ComposeRow[] {
  const rows = parseComposePsJson(psJson)
    .map(toRow)
    .filter((r) => services.includes(r.service));
  const order = (s: string) => services.indexOf(s);
  return rows.sort((a, b) => order(a.service) - order(b.service) || a.replica - b.replica);
}

function toRow(c: Record<string, unknown>): ComposeRow {
  const name = str(c.Name);
  const labels = parseLabels(c.Labels);
  const service = str(c.Service) || labels["com.docker.compose.service"] || "";
  const replica = replicaNumber(name, labels);
  const role = Role.safeParse(labels["p2pnode.role"]);
  const listeners = publishedListeners(c.Publishers);
  const ports: Partial<Record<ServiceName, string>> = {};
  for (const [listener, hostPort] of Object.entries(listeners) as [ListenerName, string][]) {
    const svc = SERVICE_BY_LISTENER.get(listener);
    if (svc) ports[svc] = hostPort;
  }
  return {
    name,
    service,
    replica,
    ...(role.success ? { role: role.data } : {}),
    state: str(c.State),
    health: str(c.Health),
    ports,
    listeners,
  };
}

/** `com.docker.compose.container-number` when compose reports labels, else the `-N` name suffix. */
function replicaNumber(name: string, labels: Record<string, string>): number {
  const fromLabel = Number(labels["com.docker.compose.container-number"]);
  if (Number.isInteger(fromLabel) && fromLabel > 0) return fromLabel;
  const m = /[-_](\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** Labels come as a `k=v,k=v` string (compose ps) or as an object (docker inspect style). */
function parseLabels(v: unknown): Record<string, string> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  }
  if (typeof v !== "string" || v === "") return {};
  const out: Record<string, string> = {};
  for (const pair of v.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * Published node listeners as `host:port`. Docker lists a port once per address family
 * (0.0.0.0 and ::); the IPv4 one wins. A wildcard address becomes 127.0.0.1, the address a user
 * on the Docker host dials.
 */
function publishedListeners(v: unknown): Partial<Record<ListenerName, string>> {
  const out: Partial<Record<ListenerName, string>> = {};
  const v4: Partial<Record<ListenerName, boolean>> = {};
  for (const p of Array.isArray(v) ? (v as Publisher[]) : []) {
    if (!p?.PublishedPort || !p.TargetPort) continue;
    const listener = LISTENER_BY_PORT.get(`${p.TargetPort}/${(p.Protocol ?? "tcp").toLowerCase()}`);
    if (!listener) continue;
    const url = p.URL ?? "";
    const isV6 = url.includes(":");
    if (out[listener] !== undefined && (v4[listener] || isV6)) continue;
    const host = url === "" || url === "0.0.0.0" || url === "::" ? "127.0.0.1" : isV6 ? `[${url}]` : url;
    out[listener] = `${host}:${p.PublishedPort}`;
    v4[listener] = !isV6;
  }
  return out;
}

/** REST base URLs of a row's services that its role runs, for an SDK client. */
export function composeServiceUrls(row: ComposeRow): Partial<Record<ServiceName, string>> {
  const wanted = row.role ? ROLE_SERVICES[row.role] : (Object.keys(row.ports) as ServiceName[]);
  const out: Partial<Record<ServiceName, string>> = {};
  for (const s of wanted) {
    const hp = row.ports[s];
    if (hp) out[s] = `http://${hp}`;
  }
  return out;
}

/** REST columns in the order devnet prints them. */
const REST_ORDER: readonly ServiceName[] = ["gateway", "chain", "miner", "dht", "zkp", "compute"];

/**
 * The compose counterpart of `p2pnode devnet up`'s table: one row per replica with its state,
 * health and the host ports of its P2P, DHT and REST listeners ("-" where not published).
 */
export function formatComposeTable(rows: readonly ComposeRow[]): string {
  // Like devnet's table, a port on the host's loopback/wildcard shows as `:port`; a port bound to
  // one specific host address keeps it.
  const port = (hp: string | undefined) =>
    hp === undefined ? "-" : hp.startsWith("127.0.0.1:") ? hp.slice("127.0.0.1".length) : hp;
  const body = rows.map((r) => [
    `${r.service}-${r.replica}`,
    r.role ?? "?",
    r.state,
    r.health || "-",
    port(r.listeners.p2p),
    r.listeners.dhtUdp === undefined ? "-" : `${port(r.listeners.dhtUdp)}/udp`,
    REST_ORDER.map((s) => port(r.ports[s])).join(" "),
  ]);
  return formatTable(
    ["node", "role", "state", "health", "p2p", "dht", "REST (gateway chain miner dht zkp compute)"],
    body,
  );
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ComposePsError(
      `docker compose ps: ${where} is not JSON (${(err as Error).message}); run it with --format json`,
    );
  }
}

function asArray(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new ComposePsError("docker compose ps: expected a JSON array");
  return v;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
