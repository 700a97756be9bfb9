import { loadOrCreateIdentity } from "@p2pnode/crypto";
import type { DevnetNode } from "./layout.js";
import { nodePorts, serviceUrls } from "./layout.js";
import type { DevnetState } from "./state.js";

/*
 * Fixed topologies and partitions for a running devnet, through each gateway's admin REST:
 * an allowlist of NodeIds (PUT /peers/allowlist) cuts every other link and keeps discovery from
 * re-creating it, and POST /peers/connect dials the links the topology wants.
 */

export interface GatewayPeer {
  id: string;
  address: string;
  direction: "inbound" | "outbound";
  latencyMs: number | null;
  height: number;
}

export function nodeIdOf(node: DevnetNode): string {
  return loadOrCreateIdentity(node.dataDir).nodeIdHex;
}

async function call(
  url: string,
  token: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; json: { error?: { code?: string } } | undefined }> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  return { status: res.status, json };
}

export async function gatewayPeers(node: DevnetNode): Promise<GatewayPeer[]> {
  const r = await fetch(`${serviceUrls(node).gateway}/peers`);
  return ((await r.json()) as { peers: GatewayPeer[] }).peers;
}

/**
 * Makes the devnet's links exactly `edges` (pairs of node indexes): each gateway may only talk
 * to its neighbours, and the lower index dials the higher one. Resolves when every link is up.
 */
export async function setTopology(state: DevnetState, edges: [number, number][]): Promise<void> {
  const ids = state.nodes.map(nodeIdOf);
  const neighbours = state.nodes.map((_, i) =>
    edges.filter(([a, b]) => a === i || b === i).map(([a, b]) => ids[a === i ? b : a]!),
  );
  for (const [i, node] of state.nodes.entries()) {
    const r = await call(`${serviceUrls(node).gateway}/peers/allowlist`, state.apiToken, "PUT", {
      nodeIds: neighbours[i],
    });
    if (r.status !== 200)
      throw new TypeError(`allowlist on ${node.name}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  for (const [a, b] of edges) {
    const from = state.nodes[a]!;
    const to = state.nodes[b]!;
    const r = await call(`${serviceUrls(from).gateway}/peers/connect`, state.apiToken, "POST", {
      host: "127.0.0.1",
      port: nodePorts(to).p2p,
    });
    if (r.status !== 200 && r.json?.error?.code !== "DUPLICATE_PEER") {
      throw new TypeError(`connect ${from.name} → ${to.name}: ${r.status} ${JSON.stringify(r.json)}`);
    }
  }
}

/** Splits the devnet into groups that cannot reach each other (full mesh inside each group). */
export async function partition(state: DevnetState, groups: number[][]): Promise<void> {
  const edges: [number, number][] = [];
  for (const g of groups)
    for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) edges.push([g[i]!, g[j]!]);
  await setTopology(state, edges);
}

/**
 * Lifts every allowlist: discovery and the dialer rebuild links on their own. `bridges` (pairs of
 * node indexes) are dialled at once so a test need not wait for discovery to cross the old cut.
 */
export async function heal(state: DevnetState, bridges: [number, number][] = []): Promise<void> {
  for (const node of state.nodes) {
    await call(`${serviceUrls(node).gateway}/peers/allowlist`, state.apiToken, "PUT", { nodeIds: null });
  }
  for (const [a, b] of bridges) {
    const r = await call(`${serviceUrls(state.nodes[a]!).gateway}/peers/connect`, state.apiToken, "POST", {
      host: "127.0.0.1",
      port: nodePorts(state.nodes[b]!).p2p,
    });
    if (r.status !== 200 && r.json?.error?.code !== "DUPLICATE_PEER")
      throw new TypeError(`connect ${a} → ${b}: ${r.status} ${JSON.stringify(r.json)}`);
  }
}
