import type { ConsensusSlot, ConsensusSlots } from "@p2pnode/types";

/*
 * The consensus heatmap's shape, without the DOM: one row per validator, one column group per
 * slot with one cell per round (rounds 1..f+1 relay the leader's value, round f+2 commits).
 */

/** What one validator did in one round of one slot, as the node saw it. */
export type CellKind =
  /** No signature of this validator arrived in this round. */
  | ""
  /** Its relay signature (the leader's proposal) on the leader's value. */
  | "relay"
  /** Its relay signature on a second value of an equivocating leader (with or without the first). */
  | "second"
  /** Its commit vote. */
  | "commit";

export interface HeatColumn {
  slot: number;
  leader: number;
  outcome: ConsensusSlot["outcome"];
  /** The final block's height, if any. */
  height: number | null;
  /** Two values: the leader signed two blocks. */
  equivocated: boolean;
  /** cells[validator][round − 1]. */
  cells: CellKind[][];
  /** Validators whose commit signature is in the final block's certificate. */
  certified: Set<number>;
}

export interface Heatmap {
  validators: number;
  /** f + 2: f + 1 relay rounds and the commit round. */
  rounds: number;
  /** Oldest first, so time runs left to right. */
  columns: HeatColumn[];
  counts: Record<ConsensusSlot["outcome"], number>;
}

/** The newest `count` slots as a heatmap (oldest column first). */
export function heatmap(s: ConsensusSlots, count: number): Heatmap {
  const rounds = s.f + 2;
  const counts: Heatmap["counts"] = { open: 0, decided: 0, final: 0, bottom: 0, unknown: 0 };
  const columns = s.slots
    .slice(0, count)
    .reverse()
    .map((slot): HeatColumn => {
      counts[slot.outcome]++;
      const cells: CellKind[][] = Array.from({ length: s.validators }, () =>
        Array.from({ length: rounds }, (): CellKind => ""),
      );
      for (const x of slot.signed) {
        const row = cells[x.validator];
        if (!row || x.round < 1 || x.round > rounds) continue;
        const kind: CellKind = x.kind === "commit" ? "commit" : x.value === 1 ? "second" : "relay";
        // A second value outranks the first in a cell: equivocation is what a reader must see.
        if (row[x.round - 1] !== "second") row[x.round - 1] = kind;
      }
      return {
        slot: slot.slot,
        leader: slot.leader,
        outcome: slot.outcome,
        height: slot.block?.height ?? null,
        equivocated: slot.values.length > 1,
        cells,
        certified: new Set(slot.block?.signers ?? []),
      };
    });
  return { validators: s.validators, rounds, columns, counts };
}

/** Per validator over the shown slots: slots it signed anything in, of those whose time is over. */
export function participation(h: Heatmap): { validator: number; signed: number; of: number }[] {
  const over = h.columns.filter((c) => c.outcome !== "open");
  return Array.from({ length: h.validators }, (_, v) => ({
    validator: v,
    signed: over.filter((c) => c.cells[v]!.some((k) => k !== "")).length,
    of: over.length,
  }));
}

/** The column header's mark: ⊥ for a slot with no block, ✓ final, • decided, … open, ? unknown. */
export const OUTCOME_MARK: Record<ConsensusSlot["outcome"], string> = {
  final: "✓",
  decided: "•",
  bottom: "⊥",
  open: "…",
  unknown: "?",
};
