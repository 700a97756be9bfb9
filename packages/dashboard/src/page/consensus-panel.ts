import type { DashboardNode } from "@p2pnode/types";
import { type HeatColumn, heatmap, OUTCOME_MARK, participation } from "../model/consensus.js";
import { el, short } from "./dom.js";

const OUTCOME_TEXT = {
  final: "final",
  decided: "decided, not final yet",
  bottom: "⊥: no block",
  open: "running",
  unknown: "before this node watched",
} as const;

/**
 * A dolev-strong node's view of consensus: who signed in which round of each recent slot, ⊥
 * slots marked, and the equivocation evidence. Null (the panel hides) on proof-of-work nodes.
 */
export function consensusPanel(n: DashboardNode | null | undefined, slots: number): HTMLElement | null {
  const c = n?.consensus;
  if (!c) return null;
  const { status } = c;
  const h = heatmap(c.slots, slots);
  const seen = participation(h);
  return el(
    "div",
    { class: "consensus", "data-validators": String(h.validators) },
    el(
      "div",
      { class: "legend" },
      `${h.validators} validators, f = ${status.f}, Δ = ${status.roundMs} ms; slot ${status.slot} (${status.phase}); this node: ${status.self === null ? "follows certificates" : `validator ${status.self}`}`,
    ),
    el(
      "div",
      {
        class: "legend counts",
        "data-final": String(h.counts.final),
        "data-bottom": String(h.counts.bottom),
      },
      `${h.counts.final} final · ${h.counts.decided} decided · ${h.counts.bottom} ⊥ · ${h.counts.open} running`,
    ),
    el("div", { class: "scroll heat-wrap" }, heatTable(h.columns, h.rounds, h.validators, status.self, seen)),
    el(
      "div",
      { class: "legend" },
      ...[
        ["relay", "relay (L: the leader's proposal)"],
        ["second", "second value (equivocation)"],
        ["commit", "commit vote"],
        ["certified", "in the final certificate"],
      ].map(([kind, text]) =>
        el("span", { class: "key-item" }, el("span", { class: `cell ${kind}` }), text!),
      ),
      el("span", {}, `columns per slot: rounds 1–${h.rounds - 1}, C = commit round; ✓ final, ⊥ no block`),
    ),
    evidenceList(c.evidence),
  );
}

function heatTable(
  columns: HeatColumn[],
  rounds: number,
  validators: number,
  self: number | null,
  seen: ReturnType<typeof participation>,
): HTMLElement {
  const roundLabel = (r: number) => (r === rounds ? "C" : String(r));
  const slotHead = columns.map((col) =>
    el(
      "th",
      {
        colspan: String(rounds),
        class: `slot-head ${col.outcome}`,
        "data-slot": String(col.slot),
        "data-leader": String(col.leader),
        "data-outcome": col.outcome,
        "data-equivocated": String(col.equivocated),
        title: `slot ${col.slot}, led by v${col.leader}: ${OUTCOME_TEXT[col.outcome]}${col.height !== null ? ` (#${col.height})` : ""}${col.equivocated ? "; the leader signed two blocks" : ""}`,
      },
      `${col.slot} ${OUTCOME_MARK[col.outcome]}${col.equivocated ? "!" : ""}`,
    ),
  );
  const roundHead = columns.flatMap(() =>
    Array.from({ length: rounds }, (_, r) =>
      el("th", { class: `round ${r === 0 ? "first" : ""}` }, roundLabel(r + 1)),
    ),
  );
  const rows = Array.from({ length: validators }, (_, v) =>
    el(
      "tr",
      { "data-validator": String(v) },
      el(
        "th",
        {
          class: "vname",
          title: `signed in ${seen[v]!.signed} of the ${seen[v]!.of} slots shown that are over`,
        },
        `${v === self ? "★ " : ""}v${v}`,
      ),
      ...columns.flatMap((col) =>
        col.cells[v]!.map((kind, r) => {
          const leader = col.leader === v;
          const classes = [
            "cell",
            kind,
            r === 0 ? "first" : "",
            col.outcome === "bottom" ? "bottom" : "",
            r === rounds - 1 && col.certified.has(v) ? "certified" : "",
            leader && r === 0 ? "leader" : "",
          ];
          return el(
            "td",
            {
              class: classes.filter(Boolean).join(" "),
              "data-slot": String(col.slot),
              "data-round": String(r + 1),
              "data-kind": kind,
              title: `v${v}, slot ${col.slot}, ${r + 1 === rounds ? "commit round" : `round ${r + 1}`}: ${kind || "nothing seen"}${leader ? " (leader)" : ""}`,
            },
            leader && r === 0 ? "L" : "",
          );
        }),
      ),
    ),
  );
  return el(
    "table",
    { class: "heat" },
    el(
      "thead",
      {},
      el("tr", {}, el("th", {}, "slot"), ...slotHead),
      el("tr", {}, el("th", {}, "round"), ...roundHead),
    ),
    el("tbody", {}, ...rows),
  );
}

function evidenceList(evidence: NonNullable<DashboardNode["consensus"]>["evidence"]): HTMLElement {
  if (evidence.length === 0) return el("div", { class: "empty evidence", "data-count": "0" }, "No evidence");
  return el(
    "div",
    { class: "evidence", "data-count": String(evidence.length) },
    el("div", { class: "legend" }, "Evidence: leaders that signed two blocks in one slot"),
    el(
      "ul",
      {},
      ...evidence.map((e) =>
        el(
          "li",
          { "data-slot": String(e.slot), "data-leader": String(e.leader) },
          `slot ${e.slot}: v${e.leader} signed ${short(e.first.blockHash)} and ${short(e.second.blockHash)} (${new Date(e.recordedAt).toLocaleTimeString()})`,
        ),
      ),
    ),
  );
}
