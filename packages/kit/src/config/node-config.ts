import { resolve } from "node:path";
import { DEFAULT_PORTS, LISTENERS, type ListenerName, portsFromBase, Role } from "@p2pnode/types";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);
const optionalPort = port.optional();
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/, "expected host:port");
const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .optional()
    .transform((s) =>
      (s ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item).max(256));

const portVars = Object.fromEntries(Object.values(LISTENERS).map((l) => [l.env, optionalPort])) as Record<
  string,
  typeof optionalPort
>;

/** Every P2PNODE_* variable a node reads (DESIGN.md §3), as one schema. */
export const NodeEnv = z.object({
  P2PNODE_DATA_DIR: z.string().min(1).default("./data"),
  P2PNODE_ROLE: Role.default("full"),
  P2PNODE_GENESIS: z.string().min(1).optional(),
  P2PNODE_NATS_URL: z
    .string()
    .regex(/^nats:\/\/[^\s/]+:[0-9]{1,5}$/, "expected nats://host:port")
    .optional(),
  P2PNODE_NATS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, "expected 16-128 URL-safe characters")
    .optional(),
  P2PNODE_BOOTNODES: commaList(hostPort),
  P2PNODE_DNS_SEEDS: commaList(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, "expected hostnames")),
  P2PNODE_API_HOST: z.string().min(1).default("127.0.0.1"),
  /** P2P addresses (host:port of the WebSocket port) the gateway always keeps connections to. */
  P2PNODE_P2P_PEERS: commaList(hostPort),
  /** 0: connect only to P2PNODE_P2P_PEERS and admin-connected peers (fixed topologies, tests). */
  P2PNODE_P2P_DISCOVERY: z.enum(["0", "1"]).default("1"),
  /** Outbound connection target (default 8, Bitcoin Core's full-relay count). */
  P2PNODE_P2P_MAX_OUTBOUND: z.coerce.number().int().min(0).max(1_000).optional(),
  /** Inbound connection cap (default 32). */
  P2PNODE_P2P_MAX_INBOUND: z.coerce.number().int().min(0).max(1_000).optional(),
  /** Bind address of the P2P WebSocket and DHT UDP listeners: public by default, unlike REST. */
  P2PNODE_P2P_HOST: z.string().min(1).default("0.0.0.0"),
  P2PNODE_API_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  P2PNODE_ADVERTISE_HOST: z.string().min(1).optional(),
  P2PNODE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  P2PNODE_PORT_BASE: z.coerce.number().int().min(1024).max(64535).optional(),
  P2PNODE_DEVNET: z.enum(["0", "1"]).default("0"),
  /** Reward address of this node's miner; default: the address of the node's identity key. */
  P2PNODE_MINER_ADDRESS: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "expected a 20-byte address as lowercase hex")
    .optional(),
  /**
   * A file holding the node identity seed (hex, as `identity.key`): installed into the data dir on
   * first start, checked against it later. How a deployment gives a validator the key the genesis lists.
   */
  P2PNODE_IDENTITY_KEY_FILE: z.string().min(1).optional(),
  /** Hashing threads; default: one per core. */
  P2PNODE_MINER_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /** Signature-verify threads of each service's VerifyPool (chain, gateway); default: one per core. */
  P2PNODE_VERIFY_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /**
   * The chain store writes the account changes and tx index rows it holds in memory at least every
   * this many blocks (Bitcoin Core's dbcache: a crash replays at most this many); 1 writes every
   * block. Unset: the chain's default (its store's defaultFlushPolicy).
   */
  P2PNODE_CHAIN_FLUSH_BLOCKS: z.coerce.number().int().min(1).max(10_000).optional(),
  /** ... and once this many of them wait. */
  P2PNODE_CHAIN_FLUSH_ROWS: z.coerce.number().int().min(1).max(10_000_000).optional(),
  /**
   * Node.js flags for every service process; unset, each service gets its default
   * (`serviceNodeFlagsOf`: a small young generation, except for the chain).
   */
  P2PNODE_SERVICE_NODE_FLAGS: z
    .string()
    .regex(
      /^\s*(--[a-z0-9-]+(=[A-Za-z0-9._-]+)?\s*)*$/,
      "expected Node.js flags like --max-semi-space-size=2",
    )
    .optional(),
  ...portVars,
});
type NodeEnvParsed = z.infer<typeof NodeEnv>;

export interface NodeConfig {
  dataDir: string;
  role: Role;
  genesisPath: string | undefined;
  natsUrl: string | undefined;
  natsToken: string | undefined;
  bootnodes: string[];
  dnsSeeds: string[];
  apiHost: string;
  p2pHost: string;
  p2pPeers: string[];
  p2pDiscovery: boolean;
  p2pMaxOutbound: number | undefined;
  p2pMaxInbound: number | undefined;
  apiToken: string | undefined;
  advertiseHost: string | undefined;
  logLevel: NodeEnvParsed["P2PNODE_LOG_LEVEL"];
  /** Relaxes loopback/address-diversity rules for a local devnet. */
  devnet: boolean;
  ports: Record<ListenerName, number>;
  /** P2PNODE_SERVICE_NODE_FLAGS split; undefined: each service's default (serviceNodeFlagsOf). */
  serviceNodeFlags: string[] | undefined;
  minerAddress: string | undefined;
  minerThreads: number | undefined;
  /** Threads of the service's VerifyPool; undefined: one per core. */
  verifyThreads: number | undefined;
  /** When the chain store flushes the rows it holds in memory; undefined: the chain's default. */
  chainFlush: { blocks: number | undefined; rows: number | undefined };
  /** The identity to install into the data dir (P2PNODE_IDENTITY_KEY_FILE), absolute. */
  identityKeyFile: string | undefined;
}

/** Turns the parsed environment into the node's configuration: a port variable beats the port base. */
export function toNodeConfig(env: NodeEnvParsed): NodeConfig {
  const base = env.P2PNODE_PORT_BASE === undefined ? DEFAULT_PORTS : portsFromBase(env.P2PNODE_PORT_BASE);
  const ports = { ...base };
  const raw = env as Record<string, unknown>;
  for (const [name, l] of Object.entries(LISTENERS) as [ListenerName, (typeof LISTENERS)[ListenerName]][]) {
    const v = raw[l.env];
    if (typeof v === "number") ports[name] = v;
  }
  return {
    dataDir: resolve(env.P2PNODE_DATA_DIR),
    role: env.P2PNODE_ROLE,
    genesisPath: env.P2PNODE_GENESIS === undefined ? undefined : resolve(env.P2PNODE_GENESIS),
    natsUrl: env.P2PNODE_NATS_URL,
    natsToken: env.P2PNODE_NATS_TOKEN,
    bootnodes: env.P2PNODE_BOOTNODES,
    dnsSeeds: env.P2PNODE_DNS_SEEDS,
    apiHost: env.P2PNODE_API_HOST,
    p2pHost: env.P2PNODE_P2P_HOST,
    p2pPeers: env.P2PNODE_P2P_PEERS,
    p2pDiscovery: env.P2PNODE_P2P_DISCOVERY === "1",
    p2pMaxOutbound: env.P2PNODE_P2P_MAX_OUTBOUND,
    p2pMaxInbound: env.P2PNODE_P2P_MAX_INBOUND,
    apiToken: env.P2PNODE_API_TOKEN,
    advertiseHost: env.P2PNODE_ADVERTISE_HOST,
    logLevel: env.P2PNODE_LOG_LEVEL,
    devnet: env.P2PNODE_DEVNET === "1",
    ports,
    minerAddress: env.P2PNODE_MINER_ADDRESS,
    minerThreads: env.P2PNODE_MINER_THREADS,
    verifyThreads: env.P2PNODE_VERIFY_THREADS,
    chainFlush: { blocks: env.P2PNODE_CHAIN_FLUSH_BLOCKS, rows: env.P2PNODE_CHAIN_FLUSH_ROWS },
    identityKeyFile:
      env.P2PNODE_IDENTITY_KEY_FILE === undefined ? undefined : resolve(env.P2PNODE_IDENTITY_KEY_FILE),
    serviceNodeFlags: env.P2PNODE_SERVICE_NODE_FLAGS?.split(/\s+/).filter((f) => f.length > 0),
  };
}
