import type { DashboardNode } from "@p2pnode/types";
import { taskRows } from "../model/compute.js";
import { el, short } from "./dom.js";

/**
 * The selected node's compute service: its tasks with job progress, state and workers (click a
 * task for its workers), the sandbox pool, and the workers the scheduler knows. Null (the panel
 * hides) on nodes without compute.
 */
export function computePanel(
  n: DashboardNode | null | undefined,
  selectedTask: string | null,
  onTask: (id: string | null) => void,
): HTMLElement | null {
  const c = n?.compute;
  if (!c) return null;
  const rows = taskRows(c.tasks);
  const chosen = rows.find((r) => r.id === selectedTask);
  return el(
    "div",
    { class: "compute", "data-tasks": String(rows.length) },
    el(
      "div",
      { class: "legend" },
      `Sandbox: ${c.sandbox.busy}/${c.sandbox.threads} threads busy, ${c.sandbox.queued} jobs queued`,
    ),
    rows.length === 0
      ? el("div", { class: "empty" }, "No compute tasks yet")
      : el(
          "div",
          { class: "scroll" },
          el(
            "table",
            { class: "tasks" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...["task", "state", "jobs done", "progress", "workers"].map((h) => el("th", {}, h)),
              ),
            ),
            el(
              "tbody",
              {},
              ...rows.map((r) => {
                const tr = el(
                  "tr",
                  {
                    "data-task": r.id,
                    "data-status": r.status,
                    "data-done": String(r.done),
                    "data-total": String(r.total),
                    class: r.id === selectedTask ? "selected" : "",
                  },
                  el("td", { class: "mono" }, short(r.id)),
                  el("td", { class: `state ${r.status}` }, r.status),
                  el(
                    "td",
                    { class: "done" },
                    `${r.done}/${r.total}${r.failed ? ` (${r.failed} failed)` : ""}`,
                  ),
                  el(
                    "td",
                    {},
                    el(
                      "span",
                      { class: "progress", title: `${r.percent}% decided` },
                      el("span", { class: `progress-fill ${r.status}`, style: `width:${r.percent}%` }),
                    ),
                  ),
                  el(
                    "td",
                    { class: "workers" },
                    `${r.workers.length}${r.busyWorkers ? ` (${r.busyWorkers} busy)` : ""}`,
                  ),
                );
                // On the press, not on "click": the panel is rebuilt on every snapshot, and a press
                // and release that land on two builds of this row make no click (seen on a
                // loaded machine: the selection was lost).
                tr.addEventListener("pointerdown", (e) => {
                  if (e.button === 0) onTask(r.id === selectedTask ? null : r.id);
                });
                return tr;
              }),
            ),
          ),
        ),
    chosen
      ? el(
          "div",
          { class: "task-workers", "data-task": chosen.id },
          el("div", { class: "legend" }, `Workers of task ${short(chosen.id)}`),
          chosen.workers.length === 0
            ? el("div", { class: "empty" }, "no attempt yet")
            : el(
                "table",
                {},
                el(
                  "thead",
                  {},
                  el("tr", {}, ...["worker", "attempts", "running", "ok"].map((h) => el("th", {}, h))),
                ),
                el(
                  "tbody",
                  {},
                  ...chosen.workers.map((w) =>
                    el(
                      "tr",
                      { "data-worker": w.id },
                      el("td", { class: "mono" }, short(w.id, 12)),
                      el("td", {}, String(w.attempts)),
                      el("td", {}, String(w.running)),
                      el("td", {}, String(w.ok)),
                    ),
                  ),
                ),
              ),
        )
      : null,
    c.workers.length === 0
      ? el("div", { class: "empty" }, "no workers known yet")
      : el(
          "div",
          { class: "scroll" },
          el(
            "table",
            { class: "trust" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...["worker", "trusted", "valid", "invalid", "errors"].map((h) => el("th", {}, h)),
              ),
            ),
            el(
              "tbody",
              {},
              ...c.workers.map((w) =>
                el(
                  "tr",
                  {},
                  el("td", { class: "mono" }, short(w.id, 12)),
                  el("td", {}, w.trusted ? "yes" : "no"),
                  el("td", {}, String(w.valid)),
                  el("td", {}, String(w.invalid)),
                  el("td", {}, String(w.errors)),
                ),
              ),
            ),
          ),
        ),
  );
}
