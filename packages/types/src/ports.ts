import type { ServiceName } from "./roles.js";

/** Every listener of a node, its env variable and its default port inside a container (DESIGN.md §3). */
export const LISTENERS = {
  gatewayApi: { env: "P2PNODE_GATEWAY_PORT", port: 7100, proto: "tcp", what: "gateway REST" },
  p2p: { env: "P2PNODE_P2P_PORT", port: 7101, proto: "tcp", what: "P2P WebSocket (/p2p)" },
  chainApi: { env: "P2PNODE_CHAIN_PORT", port: 7200, proto: "tcp", what: "chain REST" },
  minerApi: { env: "P2PNODE_MINER_PORT", port: 7300, proto: "tcp", what: "miner REST" },
  dhtApi: { env: "P2PNODE_DHT_PORT", port: 7400, proto: "tcp", what: "dht REST" },
  dhtUdp: { env: "P2PNODE_DHT_UDP_PORT", port: 7401, proto: "udp", what: "Kademlia DHT" },
  zkpApi: { env: "P2PNODE_ZKP_PORT", port: 7500, proto: "tcp", what: "zkp REST" },
  computeApi: { env: "P2PNODE_COMPUTE_PORT", port: 7600, proto: "tcp", what: "compute REST" },
  nats: { env: "P2PNODE_NATS_PORT", port: 4222, proto: "tcp", what: "NATS (loopback only)" },
} as const;
export type ListenerName = keyof typeof LISTENERS;

/** The REST listener of each service. */
export const API_LISTENER: Record<ServiceName, ListenerName> = {
  gateway: "gatewayApi",
  chain: "chainApi",
  miner: "minerApi",
  dht: "dhtApi",
  zkp: "zkpApi",
  compute: "computeApi",
};

/**
 * With P2PNODE_PORT_BASE=B every listener moves to B + (default − 7000), and NATS to B + 900, so
 * devnet node i (B = 20000 + 1000·i) keeps the container's layout: chain at B+200, gateway at B+100.
 */
export function portsFromBase(base: number): Record<ListenerName, number> {
  const out = {} as Record<ListenerName, number>;
  for (const [name, l] of Object.entries(LISTENERS) as [ListenerName, (typeof LISTENERS)[ListenerName]][]) {
    out[name] = name === "nats" ? base + 900 : base + (l.port - 7000);
  }
  return out;
}

export const DEFAULT_PORTS: Record<ListenerName, number> = Object.fromEntries(
  Object.entries(LISTENERS).map(([k, v]) => [k, v.port]),
) as Record<ListenerName, number>;
