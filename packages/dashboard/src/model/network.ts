import type { DashboardNetwork, DashboardNode } from "@p2pnode/types";

/*
 * What the page computes from the gateways' snapshots, kept free of the DOM so tests run it:
 * the merged node set, links, connected components, the fork tree and propagation delays.
 */

export interface NodeView {
  id: string;
  url: string | null;
  node: DashboardNode | null;
  /** Why the page has no snapshot of this node (it is only known as someone's peer). */
  error?: string;
}

export interface LinkView {
  key: string;
  /** The dialing side when known (outbound from `from`). */
  from: string;
  to: string;
  latencyMs: number | null;
}

/** Merges network views (from one or several gateways): a node's newest snapshot wins. */
export function mergeNetworks(views: DashboardNetwork[]): Map<string, NodeView> {
  const out = new Map<string, NodeView>();
  for (const v of views) {
    for (const { url, node } of v.nodes) {
      const had = out.get(node.nodeId);
      if (!had?.node || had.node.at < node.at) out.set(node.nodeId, { id: node.nodeId, url, node });
    }
    for (const u of v.unreachable) {
      if (!out.has(u.id)) out.set(u.id, { id: u.id, url: u.url, node: null, error: u.error });
    }
  }
  return out;
}

/** Every link once; the side that reported it outbound is `from`, latency is the lower report. */
export function linksOf(nodes: Map<string, NodeView>): LinkView[] {
  const links = new Map<string, LinkView>();
  for (const v of nodes.values()) {
    for (const p of v.node?.peers ?? []) {
      const [a, b] = v.id < p.id ? [v.id, p.id] : [p.id, v.id];
      const key = `${a}-${b}`;
      const outbound = p.direction === "outbound";
      const ends = outbound ? { from: v.id, to: p.id } : { from: p.id, to: v.id };
      const had = links.get(key);
      if (!had) {
        links.set(key, { key, ...ends, latencyMs: p.latencyMs });
        continue;
      }
      if (p.latencyMs !== null)
        had.latencyMs = had.latencyMs === null ? p.latencyMs : Math.min(had.latencyMs, p.latencyMs);
      // Both ends report the link; the dialer's own report settles the direction.
      if (outbound) Object.assign(had, ends);
    }
  }
  return [...links.values()];
}

/** Connected components over the links (a partition shows as more than one). */
export function components(ids: Iterable<string>, links: LinkView[]): string[][] {
  const parent = new Map<string, string>();
  for (const id of ids) parent.set(id, id);
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const l of links) {
    if (!parent.has(l.from) || !parent.has(l.to)) continue;
    parent.set(find(l.from), find(l.to));
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const r = find(id);
    groups.set(r, [...(groups.get(r) ?? []), id]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
}

export interface ForkBranch {
  tipHash: string;
  tipHeight: number;
  /** Blocks from the fork point (exclusive) to this tip. */
  length: number;
  nodes: string[];
}

export interface ForkTree {
  /** The highest block every branch shares, when the snapshots reach back that far. */
  base: { hash: string; height: number } | null;
  branches: ForkBranch[];
}

/**
 * The fork tree when tips differ: one branch per distinct tip, all hanging from the highest
 * block the nodes' recent main chains have in common. Nodes merely behind on the same chain
 * (their tip is an ancestor of another tip) are not a fork: they join the branch they lag on.
 */
export function forkTree(nodes: Iterable<NodeView>): ForkTree {
  const chains = new Map<
    string,
    { tip: string; height: number; hashes: Map<string, number>; nodes: string[] }
  >();
  const prev = new Map<string, string>();
  for (const v of nodes) {
    const n = v.node;
    if (!n?.tip) continue;
    let c = chains.get(n.tip.hash);
    if (!c) {
      c = {
        tip: n.tip.hash,
        height: n.tip.height,
        hashes: new Map(n.blocks.map((b) => [b.hash, b.height])),
        nodes: [],
      };
      chains.set(n.tip.hash, c);
    }
    c.nodes.push(v.id);
    for (const b of n.blocks) prev.set(b.hash, b.prevHash);
  }
  const all = [...chains.values()];
  // A tip that is on another chain is that chain's past, not a branch.
  const heads = all.filter((c) => !all.some((o) => o !== c && o.hashes.has(c.tip)));
  for (const c of all) {
    if (heads.includes(c)) continue;
    const on = heads.find((h) => h.hashes.has(c.tip));
    on?.nodes.push(...c.nodes);
  }
  if (heads.length <= 1) {
    const h = heads[0];
    return {
      base: null,
      branches: h ? [{ tipHash: h.tip, tipHeight: h.height, length: 0, nodes: h.nodes }] : [],
    };
  }
  let base: { hash: string; height: number } | null = null;
  for (const [hash, height] of heads[0]!.hashes) {
    if (heads.every((h) => h.hashes.has(hash)) && (!base || height > base.height)) base = { hash, height };
  }
  return {
    base,
    branches: heads
      .map((h) => ({
        tipHash: h.tip,
        tipHeight: h.height,
        length: base ? h.height - base.height : h.hashes.size,
        nodes: h.nodes.sort(),
      }))
      .sort((a, b) => b.tipHeight - a.tipHeight || (a.tipHash < b.tipHash ? -1 : 1)),
  };
}

/** Per block: each node's delay after the first node stored it (ms), for blocks ≥2 nodes hold. */
export function propagation(nodes: Iterable<NodeView>): Map<string, { height: number; delays: number[] }> {
  const seen = new Map<string, { height: number; times: number[] }>();
  for (const v of nodes) {
    for (const b of v.node?.blocks ?? []) {
      const s = seen.get(b.hash) ?? { height: b.height, times: [] };
      s.times.push(b.receivedAt);
      seen.set(b.hash, s);
    }
  }
  const out = new Map<string, { height: number; delays: number[] }>();
  for (const [hash, s] of seen) {
    if (s.times.length < 2) continue;
    const first = Math.min(...s.times);
    out.set(hash, { height: s.height, delays: s.times.map((t) => t - first).sort((a, b) => a - b) });
  }
  return out;
}

/** The empirical CDF as steps [delay ms, fraction of nodes that had it by then]. */
export function cdf(delays: number[]): [number, number][] {
  const d = [...delays].sort((a, b) => a - b);
  return d.map((x, i) => [x, (i + 1) / d.length]);
}

/** Delays of the last `n` blocks (by height) pooled into one sample, without each block's first node. */
export function recentDelays(prop: Map<string, { height: number; delays: number[] }>, n: number): number[] {
  return [...prop.values()]
    .sort((a, b) => b.height - a.height)
    .slice(0, n)
    .flatMap((p) => p.delays.slice(1));
}

export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
