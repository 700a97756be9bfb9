import type { ConsensusSlots, TaskSummary } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { taskRows } from "../src/model/compute.js";
import { heatmap, participation } from "../src/model/consensus.js";

const h = (c: string) => c.repeat(64);

// 4 validators, f = 1: rounds 1, 2 relay and round 3 (C) commits.
const slots: ConsensusSlots = {
  validators: 4,
  f: 1,
  roundMs: 1000,
  current: 7,
  slots: [
    { slot: 7, leader: 3, outcome: "open", values: [], signed: [], block: null },
    // Leader 2 signed two blocks: v0 relayed the second one, v1 both.
    {
      slot: 6,
      leader: 2,
      outcome: "bottom",
      values: [h("a"), h("b")],
      signed: [
        { validator: 2, round: 1, kind: "relay", value: 0 },
        { validator: 2, round: 1, kind: "relay", value: 1 },
        { validator: 1, round: 2, kind: "relay", value: 0 },
        { validator: 1, round: 2, kind: "relay", value: 1 },
        { validator: 0, round: 2, kind: "relay", value: 1 },
      ],
      block: null,
    },
    // v3 (the leader of slot 3) is down: nothing from it, ⊥ in its own slot.
    {
      slot: 5,
      leader: 1,
      outcome: "final",
      values: [h("c")],
      signed: [
        { validator: 1, round: 1, kind: "relay", value: 0 },
        { validator: 0, round: 2, kind: "relay", value: 0 },
        { validator: 2, round: 2, kind: "relay", value: 0 },
        { validator: 0, round: 3, kind: "commit", value: 0 },
        { validator: 1, round: 3, kind: "commit", value: 0 },
        { validator: 2, round: 3, kind: "commit", value: 0 },
        // A round outside the slot or a validator outside the set is not drawn.
        { validator: 9, round: 1, kind: "relay", value: 0 },
        { validator: 2, round: 4, kind: "relay", value: 0 },
      ],
      block: { height: 4, hash: h("c"), signers: [0, 1] },
    },
    {
      slot: 4,
      leader: 0,
      outcome: "final",
      values: [h("d")],
      signed: [],
      block: { height: 3, hash: h("d"), signers: [1, 2] },
    },
    { slot: 3, leader: 3, outcome: "bottom", values: [], signed: [], block: null },
  ],
};

describe("consensus heatmap", () => {
  it("puts each validator's signature in its round of its slot, oldest slot first, ⊥ and equivocation kept", () => {
    const m = heatmap(slots, 4);
    expect(m.rounds).toBe(3);
    expect(m.columns.map((c) => [c.slot, c.outcome])).toEqual([
      [4, "final"],
      [5, "final"],
      [6, "bottom"],
      [7, "open"],
    ]);
    const s5 = m.columns[1]!;
    expect(s5.cells).toEqual([
      ["", "relay", "commit"],
      ["relay", "", "commit"],
      ["", "relay", "commit"],
      ["", "", ""],
    ]);
    expect([...s5.certified]).toEqual([0, 1]);
    expect(s5.height).toBe(4);
    const s6 = m.columns[2]!;
    expect(s6.equivocated).toBe(true);
    // The second value shows in a cell even when the first arrived with it.
    expect(s6.cells.map((r) => r.slice(0, 2))).toEqual([
      ["", "second"],
      ["", "second"],
      ["second", ""],
      ["", ""],
    ]);
    expect(m.counts).toMatchObject({ final: 2, bottom: 1, open: 1, decided: 0 });
    expect(heatmap(slots, 10).columns[0]).toMatchObject({ slot: 3, outcome: "bottom", leader: 3 });
  });

  it("counts, per validator, the slots that are over in which it signed anything", () => {
    expect(participation(heatmap(slots, 5))).toEqual([
      { validator: 0, signed: 2, of: 4 },
      { validator: 1, signed: 2, of: 4 },
      { validator: 2, signed: 2, of: 4 },
      { validator: 3, signed: 0, of: 4 },
    ]);
  });
});

const task = (
  id: string,
  status: TaskSummary["status"],
  createdAt: number,
  done: number,
  failed = 0,
): TaskSummary => ({
  id,
  function: h("f"),
  reduce: null,
  status,
  replication: 1,
  quorum: 1,
  deadlineMs: 1000,
  budget: 1,
  adaptive: true,
  createdAt,
  finishedAt: null,
  jobs: { total: 10, done, failed, running: status === "running" ? 2 : 0, pending: 10 - done - failed },
  attempts: { total: done, retried: 0 },
  resultHash: null,
  error: null,
  workers: [
    { id: "b-peer", attempts: 3, running: status === "running" ? 1 : 0, ok: 2 },
    { id: "a-local", attempts: 7, running: 0, ok: 7 },
  ],
});

describe("compute task rows", () => {
  it("running tasks first, newest first within; progress counts decided jobs; workers busiest first", () => {
    const rows = taskRows([
      task("old", "done", 1, 10),
      task("run", "running", 2, 4, 1),
      task("new", "failed", 3, 2, 8),
    ]);
    expect(rows.map((r) => [r.id, r.percent])).toEqual([
      ["run", 50],
      ["new", 100],
      ["old", 100],
    ]);
    expect(rows[0]).toMatchObject({ done: 4, failed: 1, total: 10, running: 2, busyWorkers: 1 });
    expect(rows[0]!.workers.map((w) => w.id)).toEqual(["a-local", "b-peer"]);
  });
});
