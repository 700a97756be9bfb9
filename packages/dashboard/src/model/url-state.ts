/** The page's filters and selection, kept in the URL so a view can be shared or reloaded. */
export interface UrlState {
  /** Selected node (NodeId hex); the panels for one node show it. Default: the serving node. */
  node: string | null;
  /** Roles shown in the graph and table; empty: all. */
  roles: string[];
  /** The block whose propagation CDF is drawn (default: the newest). */
  block: string | null;
  /** Blocks pooled in the propagation CDF. */
  blocks: number;
  /** Extra gateways whose network views are merged in (for layouts where following peers fails). */
  nodes: string[];
  /** Seconds between network refreshes (the live feed updates in between). */
  poll: number;
  /** Draw a synthetic network of this many nodes instead (graph benchmark). */
  synthetic: number;
  /** Slots in the consensus heatmap (the newest). */
  slots: number;
  /** The compute task whose workers are listed. */
  task: string | null;
}

/** The most slots the heatmap shows: the snapshot carries this many (DASHBOARD_SLOTS). */
export const MAX_HEATMAP_SLOTS = 24;

const ROLE_NAMES = new Set(["miner", "full", "light", "validator"]);

function int(v: string | null, dflt: number, min: number, max: number): number {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n >= min && n <= max ? n : dflt;
}

/** Parses what a user may have typed: anything out of range falls back to the default. */
export function readUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const node = q.get("node");
  const block = q.get("block");
  const task = q.get("task");
  return {
    node: node && /^[0-9a-f]{64}$/.test(node) ? node : null,
    block: block && /^[0-9a-f]{64}$/.test(block) ? block : null,
    roles: (q.get("roles") ?? "").split(",").filter((r) => ROLE_NAMES.has(r)),
    blocks: int(q.get("blocks"), 20, 1, 200),
    nodes: (q.get("nodes") ?? "")
      .split(",")
      .map((u) => u.trim().replace(/\/+$/, ""))
      .filter((u) => /^https?:\/\/[^\s/]+$/.test(u))
      .slice(0, 50),
    poll: int(q.get("poll"), 2, 1, 60),
    synthetic: int(q.get("synthetic"), 0, 0, 20_000),
    slots: int(q.get("slots"), 12, 1, MAX_HEATMAP_SLOTS),
    task: task && /^[A-Za-z0-9_-]{1,64}$/.test(task) ? task : null,
  };
}

/** The query string for a state; defaults are left out so URLs stay short. */
export function writeUrlState(s: UrlState): string {
  const q = new URLSearchParams();
  if (s.node) q.set("node", s.node);
  if (s.block) q.set("block", s.block);
  if (s.roles.length) q.set("roles", s.roles.join(","));
  if (s.blocks !== 20) q.set("blocks", String(s.blocks));
  if (s.nodes.length) q.set("nodes", s.nodes.join(","));
  if (s.poll !== 2) q.set("poll", String(s.poll));
  if (s.synthetic) q.set("synthetic", String(s.synthetic));
  if (s.slots !== 12) q.set("slots", String(s.slots));
  if (s.task) q.set("task", s.task);
  const str = q.toString();
  return str ? `?${str}` : "";
}
