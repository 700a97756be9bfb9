import type { DashboardEvent, DashboardNetwork } from "@p2pnode/types";
import {
  components,
  forkTree,
  linksOf,
  mergeNetworks,
  type NodeView,
  propagation,
  recentDelays,
} from "../model/network.js";
import { syntheticNetwork } from "../model/synthetic.js";
import { MAX_HEATMAP_SLOTS, readUrlState, writeUrlState } from "../model/url-state.js";
import { computePanel } from "./compute-panel.js";
import { consensusPanel } from "./consensus-panel.js";
import { el } from "./dom.js";
import { PeerGraph } from "./graph.js";
import { dhtPanel, forkPanel, messagesPanel, nodesTable, peersPanel, propagationPanel } from "./panels.js";

/*
 * The page: polls the serving gateway's network view (it follows peers outward), merges extra
 * gateways named in the URL, and applies this node's live feed in between polls.
 */

interface Probe {
  /** When each of the serving node's tips first showed on the page (Date.now()). */
  shownAt: Record<string, number>;
  renders: number;
  /** The links drawn, as "dialer>listener" NodeId pairs. */
  links: string[];
  /** The graph's camera (the frame-rate benchmark turns it). */
  camera: unknown;
  /** ms from the first snapshot to the graph's first frame (layout included). */
  firstDrawMs: number | null;
}
declare global {
  interface Window {
    __dashboard: Probe;
  }
}

const state = readUrlState(location.search);
const probe: Probe = { shownAt: {}, renders: 0, links: [], camera: null, firstDrawMs: null };
window.__dashboard = probe;
const $ = (id: string) => document.getElementById(id)!;
let self = "";
let views: DashboardNetwork[] = [];
let merged = new Map<string, NodeView>();
const txSeries: { at: number; count: number }[] = [];
const graph = new PeerGraph($("graph"), (id) => select(id));
probe.camera = graph.sigma.getCamera();

function select(id: string): void {
  state.node = id === self ? null : id;
  history.replaceState(null, "", writeUrlState(state));
  render();
}

function setupFilters(): void {
  for (const box of document.querySelectorAll<HTMLInputElement>("#roles input")) {
    box.checked = state.roles.length === 0 || state.roles.includes(box.value);
    box.addEventListener("change", () => {
      const on = [...document.querySelectorAll<HTMLInputElement>("#roles input")]
        .filter((b) => b.checked)
        .map((b) => b.value);
      state.roles = on.length === 4 ? [] : on;
      history.replaceState(null, "", writeUrlState(state));
      render();
    });
  }
  const n = $("blocks-n") as HTMLInputElement;
  n.value = String(state.blocks);
  n.addEventListener("change", () => {
    const v = Number(n.value);
    if (Number.isInteger(v) && v >= 1 && v <= 200) state.blocks = v;
    history.replaceState(null, "", writeUrlState(state));
    render();
  });
  const slots = $("slots-n") as HTMLInputElement;
  slots.max = String(MAX_HEATMAP_SLOTS);
  slots.value = String(state.slots);
  slots.addEventListener("change", () => {
    const v = Number(slots.value);
    if (Number.isInteger(v) && v >= 1 && v <= MAX_HEATMAP_SLOTS) state.slots = v;
    history.replaceState(null, "", writeUrlState(state));
    render();
  });
}

function render(): void {
  const all = [...merged.values()];
  const shown = all.filter(
    (v) => v.id === self || state.roles.length === 0 || state.roles.includes(v.node?.role ?? "unknown"),
  );
  const links = linksOf(merged);
  const comps = components(merged.keys(), links);
  const compOf = new Map<string, number>();
  comps.forEach((c, i) => {
    for (const id of c) compOf.set(id, i + 1);
  });
  const banned = new Set(all.flatMap((v) => v.node?.bans.map((b) => b.target) ?? []));
  const selected = state.node && merged.has(state.node) ? state.node : self;
  const shownIds = new Set(shown.map((v) => v.id));
  const drawStart = performance.now();
  graph.update(
    shown,
    links.filter((l) => shownIds.has(l.from) && shownIds.has(l.to)),
    self,
    selected,
    banned,
    compOf,
  );

  if (probe.firstDrawMs === null && shown.length > 0) probe.firstDrawMs = performance.now() - drawStart;
  const summary = $("summary");
  summary.dataset.nodes = String(all.length);
  summary.dataset.links = String(links.length);
  summary.dataset.components = String(comps.length);
  summary.textContent = `${all.length} nodes · ${links.length} links · ${comps.length} component${comps.length === 1 ? "" : "s"}`;
  summary.classList.toggle("warn", comps.length > 1);

  $("nodes").replaceChildren(nodesTable(shown, self, selected, compOf, select));
  const tree = forkTree(all);
  $("forks").replaceChildren(forkPanel(tree));
  const prop = propagation(all);
  $("propagation").replaceChildren(
    propagationPanel(prop, recentDelays(prop, state.blocks), state.blocks, state.block, (hash) => {
      state.block = hash;
      history.replaceState(null, "", writeUrlState(state));
      render();
    }),
  );

  const sel = merged.get(selected)?.node;
  $("selected-name").textContent = selected === self ? "this node" : selected.slice(0, 8);
  $("peers").replaceChildren(peersPanel(sel));
  $("messages").replaceChildren(messagesPanel(sel));
  $("dht").replaceChildren(dhtPanel(sel));
  renderMempool();
  const onTask = (id: string | null) => {
    state.task = id;
    history.replaceState(null, "", writeUrlState(state));
    render();
  };
  for (const [kind, panel] of [
    ["consensus", consensusPanel(sel, state.slots)],
    ["compute", computePanel(sel, state.task, onTask)],
  ] as const) {
    $(`${kind}-panel`).hidden = panel === null;
    if (panel) $(kind).replaceChildren(panel);
  }
  const own = merged.get(self)?.node?.tip;
  if (own && !(own.hash in probe.shownAt)) probe.shownAt[own.hash] = Date.now();
  probe.links = links.map((l) => `${l.from}>${l.to}`);
  probe.renders++;
}

function renderMempool(): void {
  const now = Date.now();
  while (txSeries.length && now - txSeries[0]!.at > 60_000) txSeries.shift();
  const lastMin = txSeries.reduce((s, t) => s + t.count, 0);
  const sizes = [...merged.values()].filter((v) => v.node?.mempool).map((v) => v.node!.mempool!.count);
  $("mempool").replaceChildren(
    el(
      "div",
      {},
      `This node: ${merged.get(self)?.node?.mempool?.count ?? "–"} txs pending, ${(lastMin / 60).toFixed(2)} tx/s over the last minute`,
    ),
    el(
      "div",
      {},
      `Network: ${sizes.length ? `${Math.min(...sizes)}–${Math.max(...sizes)} pending per node` : "–"}`,
    ),
  );
}

async function refresh(): Promise<void> {
  if (state.synthetic > 0) return;
  const urls = ["", ...state.nodes];
  const got = await Promise.all(
    urls.map((u) =>
      fetch(`${u}/dashboard/api/network`)
        .then((r) => (r.ok ? (r.json() as Promise<DashboardNetwork>) : null))
        .catch(() => null),
    ),
  );
  const ok = got.filter((v): v is DashboardNetwork => v !== null);
  if (ok[0] && got[0]) self = got[0].self;
  $("conn").textContent = got[0] ? "" : "serving node not answering";
  if (ok.length === 0) return;
  views = ok;
  merged = mergeNetworks(views);
  render();
}

let soon: ReturnType<typeof setTimeout> | undefined;
function refreshSoon(): void {
  if (soon) return;
  soon = setTimeout(() => {
    soon = undefined;
    void refresh();
  }, 300);
}

/** The serving node's events, applied at once; a poll follows to pick up everything else. */
function applyEvent(e: DashboardEvent): void {
  if (e.kind === "txs") {
    txSeries.push({ at: e.at, count: e.count });
    renderMempool();
    return;
  }
  if (e.kind === "block") {
    const own = merged.get(self)?.node;
    if (
      own &&
      (e.status === "connected" || e.status === "reorg") &&
      (!own.tip || e.height >= own.tip.height || e.status === "reorg")
    ) {
      own.tip = { height: e.height, hash: e.hash, timestamp: own.tip?.timestamp ?? 0 };
      render();
    }
  }
  if (e.kind === "peer" && e.change === "tip" && e.height !== undefined) {
    const peer = merged.get(e.id)?.node;
    if (peer?.tip && e.height > peer.tip.height) {
      peer.tip = { ...peer.tip, height: e.height };
      render();
    }
  }
  refreshSoon();
}

function connectFeed(): void {
  const src = new EventSource("/dashboard/api/events");
  const live = $("live");
  src.onopen = () => {
    live.textContent = "live";
    live.className = "live on";
  };
  src.onerror = () => {
    live.textContent = "reconnecting";
    live.className = "live off";
  };
  for (const kind of ["block", "txs", "peer", "final", "evidence", "task"]) {
    src.addEventListener(kind, (m) => {
      try {
        applyEvent(JSON.parse((m as MessageEvent<string>).data) as DashboardEvent);
      } catch {
        // a malformed line is skipped; the next poll corrects the view
      }
    });
  }
}

setupFilters();
if (state.synthetic > 0) {
  const net = syntheticNetwork(state.synthetic);
  self = net.self;
  merged = mergeNetworks([net]);
  render();
} else {
  connectFeed();
  void refresh();
  setInterval(() => void refresh(), state.poll * 1000);
}
