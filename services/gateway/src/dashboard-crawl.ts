import { type DashboardNetwork, DashboardNode } from "@p2pnode/types";

/** Most nodes one network view follows; past it the page shows what it has. */
export const CRAWL_MAX_NODES = 200;
const FETCH_TIMEOUT_MS = 5_000;
/** A snapshot is a few KB; anything near this is not one. */
const MAX_SNAPSHOT_BYTES = 1024 * 1024;

/** Reads another gateway's snapshot: bounded in time and size, validated, its NodeId checked. */
export async function fetchSnapshot(url: string, expectId: string): Promise<DashboardNode> {
  const r = await fetch(`${url}/dashboard/api/node`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const text = await r.text();
  if (text.length > MAX_SNAPSHOT_BYTES) throw new Error("snapshot too large");
  const parsed = DashboardNode.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`malformed snapshot: ${parsed.error.issues[0]?.message ?? "?"}`);
  if (parsed.data.nodeId !== expectId)
    throw new Error(`another node answered (${parsed.data.nodeId.slice(0, 8)})`);
  return parsed.data;
}

/** How long a gateway once reached is still looked for after it stops answering. */
export const REMEMBER_MS = 10 * 60_000;

/**
 * Gateways this node's crawls have reached, so a view still shows the far side of a partition:
 * once no peer path leads there, the crawl asks them directly.
 */
export class KnownGateways {
  private readonly seen = new Map<string, { url: string; at: number }>();

  constructor(private readonly max = CRAWL_MAX_NODES) {}

  remember(id: string, url: string, now = Date.now()): void {
    this.seen.delete(id);
    this.seen.set(id, { url, at: now });
    // Oldest first in a Map: drop from the front past the bound.
    for (const k of this.seen.keys()) {
      if (this.seen.size <= this.max) break;
      this.seen.delete(k);
    }
  }

  /** Those reached within REMEMBER_MS; older ones are forgotten. */
  recent(now = Date.now()): [string, string][] {
    for (const [id, e] of this.seen) if (now - e.at > REMEMBER_MS) this.seen.delete(id);
    return [...this.seen].map(([id, e]) => [id, e.url]);
  }
}

/**
 * The network as seen from this node: breadth-first over peers' gateways, each level fetched in
 * parallel, then the remembered gateways no peer path reached (the other side of a partition)
 * and their peers. Every node appears once; one that cannot be read is listed as unreachable.
 */
export async function crawlNetwork(
  self: DashboardNode,
  selfUrl: string,
  known: KnownGateways = new KnownGateways(),
  fetcher: (url: string, id: string) => Promise<DashboardNode> = fetchSnapshot,
): Promise<DashboardNetwork> {
  const nodes = new Map<string, { url: string; node: DashboardNode }>([
    [self.nodeId, { url: selfUrl, node: self }],
  ]);
  const unreachable = new Map<string, { id: string; url: string | null; error: string }>();
  const visit = async (batch: [string, string | null][]): Promise<DashboardNode[]> => {
    const results = await Promise.all(
      batch.slice(0, CRAWL_MAX_NODES - nodes.size).map(async ([id, url]) => {
        if (url === null) return { id, url, error: "no REST address known" };
        try {
          return { id, url, node: await fetcher(url, id) };
        } catch (e) {
          return { id, url, error: (e as Error).message };
        }
      }),
    );
    const reached: DashboardNode[] = [];
    for (const r of results) {
      if ("node" in r && r.node) {
        nodes.set(r.id, { url: r.url!, node: r.node });
        unreachable.delete(r.id);
        known.remember(r.id, r.url!);
        reached.push(r.node);
      } else if ("error" in r) unreachable.set(r.id, { id: r.id, url: r.url, error: r.error });
    }
    return reached;
  };
  const follow = async (start: DashboardNode[]) => {
    let frontier = start;
    while (frontier.length > 0 && nodes.size < CRAWL_MAX_NODES) {
      const next = new Map<string, string | null>();
      for (const n of frontier) {
        for (const p of n.peers) if (!nodes.has(p.id) && !next.get(p.id)) next.set(p.id, p.apiUrl);
      }
      frontier = await visit([...next]);
    }
  };
  await follow([self]);
  const cutOff = known.recent().filter(([id]) => !nodes.has(id) && id !== self.nodeId);
  if (cutOff.length > 0) await follow(await visit(cutOff));
  return { self: self.nodeId, nodes: [...nodes.values()], unreachable: [...unreachable.values()] };
}
