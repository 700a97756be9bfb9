import { DirectedGraph } from "graphology";
import { circular } from "graphology-layout";
import fa2Module from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import type { LinkView, NodeView } from "../model/network.js";

// A CommonJS module: under Node's typing the default import is the module, bundled it is the function.
const forceAtlas2 =
  (fa2Module as unknown as { default?: typeof fa2Module.default }).default ??
  (fa2Module as unknown as typeof fa2Module.default);

/** Node colours by role; a node without a snapshot is grey. */
export const ROLE_COLORS: Record<string, string> = {
  miner: "#f59e0b",
  full: "#3b82f6",
  light: "#10b981",
  validator: "#a855f7",
  unknown: "#9ca3af",
};
const BANNED = "#dc2626";

/** Edge colour by latency: green fast, amber middling, red slow, grey unmeasured. */
export function latencyColor(ms: number | null): string {
  if (ms === null) return "#cbd5e1";
  if (ms < 20) return "#22c55e";
  if (ms < 100) return "#eab308";
  return "#ef4444";
}

/**
 * The peer graph on WebGL (sigma + graphology): positions persist across refreshes so the
 * picture stays still while data changes; a new node set gets a short ForceAtlas2 run.
 */
export class PeerGraph {
  readonly graph = new DirectedGraph();
  readonly sigma: Sigma;
  private layoutKey = "";

  constructor(
    private readonly container: HTMLElement,
    onSelect: (id: string) => void,
  ) {
    this.sigma = new Sigma(this.graph, container, {
      defaultEdgeType: "arrow",
      renderEdgeLabels: false,
      labelRenderedSizeThreshold: 8,
      allowInvalidContainer: true,
      // Room for the labels drawn right of the outermost nodes.
      stagePadding: 60,
    });
    this.sigma.on("clickNode", ({ node }) => onSelect(node));
  }

  update(
    nodes: NodeView[],
    links: LinkView[],
    self: string,
    selected: string | null,
    banned: Set<string>,
    component: Map<string, number>,
  ): void {
    const g = this.graph;
    const keep = new Set(nodes.map((n) => n.id));
    for (const id of g.nodes()) if (!keep.has(id)) g.dropNode(id);
    const parts = new Set(component.values()).size;
    for (const n of nodes) {
      const role = n.node?.role ?? "unknown";
      const label = `${n.id === self ? "★ " : ""}${n.id.slice(0, 8)} ${n.node?.tip ? `#${n.node.tip.height}` : "?"}${parts > 1 ? ` c${component.get(n.id)}` : ""}`;
      const attrs = {
        label,
        size: n.id === self ? 12 : n.id === selected ? 10 : 7,
        color: banned.has(n.id) ? BANNED : (ROLE_COLORS[role] ?? ROLE_COLORS.unknown),
        forceLabel: n.id === self || n.id === selected || nodes.length <= 50,
        highlighted: n.id === selected,
      };
      if (g.hasNode(n.id)) g.mergeNodeAttributes(n.id, attrs);
      else g.addNode(n.id, { ...attrs, x: Math.random(), y: Math.random() });
    }
    const wanted = new Set<string>();
    for (const l of links) {
      if (!g.hasNode(l.from) || !g.hasNode(l.to)) continue;
      const key = `${l.from}>${l.to}`;
      wanted.add(key);
      const attrs = {
        color: latencyColor(l.latencyMs),
        size: l.latencyMs === null ? 1 : Math.max(1, 4 - Math.log10(1 + l.latencyMs)),
        label: l.latencyMs === null ? "" : `${l.latencyMs} ms`,
      };
      if (g.hasEdge(key)) g.mergeEdgeAttributes(key, attrs);
      else g.addEdgeWithKey(key, l.from, l.to, attrs);
    }
    for (const e of g.edges()) if (!wanted.has(e)) g.dropEdge(e);
    const key = `${g.order}:${g.size}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.layout();
    }
    this.container.dataset.nodes = String(g.order);
    this.container.dataset.edges = String(g.size);
  }

  /** Circle, then ForceAtlas2 (few iterations for big graphs). */
  private layout(): void {
    const g = this.graph;
    if (g.order === 0) return;
    circular.assign(g);
    const iterations = g.order > 500 ? 30 : 150;
    forceAtlas2.assign(g, {
      iterations,
      settings: {
        ...forceAtlas2.inferSettings(g),
        barnesHutOptimize: g.order > 300,
        // Keeps the parts of a partitioned network in view instead of drifting apart.
        strongGravityMode: true,
        gravity: 1,
      },
    });
  }

  kill(): void {
    this.sigma.kill();
  }
}
