import type { DashboardNode } from "@p2pnode/types";
import { cdf, type ForkTree, type NodeView, quantile } from "../model/network.js";
import { bars, bytes, cdfChart, el, short } from "./dom.js";
import { ROLE_COLORS } from "./graph.js";

/** Each node's height, tip and sync state; own node pinned first, then by height and NodeId. */
export function nodesTable(
  nodes: NodeView[],
  self: string,
  selected: string | null,
  component: Map<string, number>,
  onSelect: (id: string) => void,
): HTMLElement {
  const sorted = [...nodes].sort(
    (a, b) =>
      Number(b.id === self) - Number(a.id === self) ||
      (b.node?.tip?.height ?? -1) - (a.node?.tip?.height ?? -1) ||
      (a.id < b.id ? -1 : 1),
  );
  const multi = new Set(component.values()).size > 1;
  const rows = sorted.map((v) => {
    const n = v.node;
    const tr = el(
      "tr",
      { "data-node": v.id, class: `${v.id === self ? "self" : ""} ${v.id === selected ? "selected" : ""}` },
      el(
        "td",
        {},
        el("span", { class: "dot", style: `background:${ROLE_COLORS[n?.role ?? "unknown"]}` }),
        `${v.id === self ? "★ " : ""}${short(v.id)}`,
      ),
      el("td", {}, n?.role ?? "?"),
      el("td", { class: "height" }, n?.tip ? String(n.tip.height) : "–"),
      el("td", { class: "mono" }, n?.tip ? short(n.tip.hash, 10) : "–"),
      el(
        "td",
        {},
        n
          ? n.sync
            ? n.sync.syncing
              ? `${n.sync.state} → ${n.sync.bestKnownHeight}`
              : "in sync"
            : "–"
          : (v.error ?? "unreachable"),
      ),
      el("td", {}, n?.mempool ? String(n.mempool.count) : "–"),
      el("td", {}, n ? String(n.peers.length) : "–"),
      el("td", {}, multi ? `c${component.get(v.id)}` : ""),
    );
    // On the press, as the compute panel's rows: the table is rebuilt on every snapshot.
    tr.addEventListener("pointerdown", (e) => {
      if (e.button === 0) onSelect(v.id);
    });
    return tr;
  });
  return el(
    "table",
    { class: "nodes" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["node", "role", "height", "tip", "sync", "mempool", "peers", "part"].map((h) => el("th", {}, h)),
      ),
    ),
    el("tbody", {}, ...rows),
  );
}

/** One line per branch hanging from the common block; hidden behind "one chain" when tips agree. */
export function forkPanel(tree: ForkTree): HTMLElement {
  if (tree.branches.length <= 1) {
    const b = tree.branches[0];
    return el(
      "div",
      { class: "fork", "data-branches": String(tree.branches.length) },
      b
        ? `One chain: tip #${b.tipHeight} ${short(b.tipHash, 10)} on ${b.nodes.length} node(s)`
        : "No tips yet",
    );
  }
  const maxLen = Math.max(1, ...tree.branches.map((b) => b.length));
  return el(
    "div",
    { class: "fork forked", "data-branches": String(tree.branches.length) },
    el(
      "div",
      { class: "fork-base" },
      tree.base
        ? `Fork after #${tree.base.height} ${short(tree.base.hash, 10)}`
        : "Fork deeper than the recent blocks",
    ),
    ...tree.branches.map((b) =>
      el(
        "div",
        { class: "fork-branch" },
        el("span", { class: "fork-line", style: `width:${Math.max(4, (b.length / maxLen) * 60)}%` }),
        el(
          "span",
          {},
          `#${b.tipHeight} ${short(b.tipHash, 10)} (+${b.length}) — ${b.nodes.map((n) => short(n, 6)).join(", ")}`,
        ),
      ),
    ),
  );
}

/** The latest block's CDF across nodes and the pooled CDF of the last N blocks. */
export function propagationPanel(
  prop: Map<string, { height: number; delays: number[] }>,
  pooled: number[],
  n: number,
  chosen: string | null,
  onChoose: (hash: string | null) => void,
): HTMLElement {
  const byHeight = [...prop.entries()].sort((a, b) => b[1].height - a[1].height);
  const latest = byHeight.find(([h]) => h === chosen) ?? byHeight[0];
  const pick = el(
    "select",
    { "aria-label": "block" },
    el("option", { value: "" }, "newest block"),
    ...byHeight.slice(0, 50).map(([h, p]) => {
      const o = el("option", { value: h }, `#${p.height} ${short(h)}`);
      if (h === chosen) o.setAttribute("selected", "");
      return o;
    }),
  );
  pick.addEventListener("change", () => onChoose(pick.value || null));
  const p50 = quantile(pooled, 0.5);
  const p95 = quantile(pooled, 0.95);
  return el(
    "div",
    {},
    pick,
    cdfChart([
      ...(latest
        ? [{ name: `block #${latest[1].height}`, color: "#3b82f6", points: cdf(latest[1].delays) }]
        : []),
      { name: `last ${n} blocks`, color: "#f59e0b", points: cdf(pooled) },
    ]),
    el(
      "div",
      { class: "legend" },
      el("span", { class: "key blue" }, latest ? `#${latest[1].height}` : "no block seen by 2 nodes yet"),
      el(
        "span",
        { class: "key amber" },
        `last ${n}: p50 ${p50 ?? "–"} ms, p95 ${p95 ?? "–"} ms (${pooled.length} arrivals)`,
      ),
    ),
  );
}

export function messagesPanel(n: DashboardNode | null | undefined): HTMLElement {
  if (!n) return el("div", { class: "empty" }, "no snapshot");
  const rows = Object.entries(n.messages)
    .map(([type, t]) => ({ type, total: t.sent.bytes + t.received.bytes, t }))
    .sort((a, b) => b.total - a.total);
  if (rows.length === 0) return el("div", { class: "empty" }, "no messages yet");
  return bars(
    rows.map((r) => ({
      label: r.type,
      value: r.total,
      text: `↑${bytes(r.t.sent.bytes)} ↓${bytes(r.t.received.bytes)}`,
    })),
  );
}

export function dhtPanel(n: DashboardNode | null | undefined): HTMLElement {
  if (!n?.dht) return el("div", { class: "empty" }, "no DHT table");
  return el(
    "div",
    {},
    el("div", { class: "legend" }, `${n.dht.size} contacts; bucket = XOR distance bit`),
    bars(n.dht.buckets.map((b) => ({ label: `b${b.index}`, value: b.entries, text: String(b.entries) }))),
  );
}

export function peersPanel(n: DashboardNode | null | undefined): HTMLElement {
  if (!n) return el("div", { class: "empty" }, "no snapshot");
  return el(
    "div",
    {},
    el(
      "table",
      { class: "peers" },
      el(
        "thead",
        {},
        el("tr", {}, ...["peer", "dir", "latency", "height", "score"].map((h) => el("th", {}, h))),
      ),
      el(
        "tbody",
        {},
        ...n.peers.map((p) =>
          el(
            "tr",
            {},
            el("td", {}, short(p.id)),
            el("td", {}, p.direction === "outbound" ? "out →" : "← in"),
            el("td", {}, p.latencyMs === null ? "–" : `${p.latencyMs} ms`),
            el("td", {}, String(p.height)),
            el("td", {}, String(p.score)),
          ),
        ),
      ),
    ),
    n.bans.length
      ? el(
          "div",
          { class: "bans" },
          `Bans: ${n.bans.map((b) => `${short(b.target)} (${b.reason})`).join(", ")}`,
        )
      : null,
  );
}
