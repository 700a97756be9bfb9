import type { DashboardNetwork, DashboardNode } from "@p2pnode/types";

/** A deterministic pseudo-random network for the graph benchmark (no gateway involved). */
export function syntheticNetwork(count: number, peersEach = 4, seed = 1): DashboardNetwork {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const id = (i: number) => i.toString(16).padStart(64, "0");
  const roles = ["miner", "full", "full", "full", "light"] as const;
  const nodes: { url: string; node: DashboardNode }[] = [];
  for (let i = 0; i < count; i++) {
    const peers = new Set<number>();
    while (peers.size < Math.min(peersEach, count - 1)) {
      const j = Math.floor(rand() * count);
      if (j !== i) peers.add(j);
    }
    nodes.push({
      url: `http://synthetic/${i}`,
      node: {
        nodeId: id(i),
        role: roles[i % roles.length]!,
        agent: "synthetic",
        at: 1,
        tip: { height: 100, hash: "ab".repeat(32), timestamp: 1 },
        sync: null,
        mempool: { count: 0, bytes: 0 },
        txAccepted: 0,
        blocks: [],
        peers: [...peers].map((j) => ({
          id: id(j),
          address: `10.0.${j >> 8}.${j & 255}:7101`,
          direction: j > i ? ("outbound" as const) : ("inbound" as const),
          latencyMs: Math.round(rand() * 200),
          height: 100,
          score: 0,
          bytesIn: 0,
          bytesOut: 0,
          apiUrl: null,
        })),
        bans: [],
        messages: {},
        dht: null,
        consensus: null,
        compute: null,
      },
    });
  }
  return { self: id(0), nodes, unreachable: [] };
}
