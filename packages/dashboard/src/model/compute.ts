import type { TaskSummary } from "@p2pnode/types";

/*
 * The compute panel's rows, without the DOM: each task's progress and where its jobs ran.
 */

export interface TaskRow {
  id: string;
  status: TaskSummary["status"];
  done: number;
  failed: number;
  total: number;
  /** Jobs decided (accepted, failed or cancelled) in % of all, for the progress bar. */
  percent: number;
  running: number;
  /** Workers with an attempt in flight now, and all workers the task used. */
  busyWorkers: number;
  workers: TaskSummary["workers"];
  createdAt: number;
}

/** Running tasks first (newest first within), then finished ones newest first. */
export function taskRows(tasks: readonly TaskSummary[]): TaskRow[] {
  return tasks
    .map((t) => ({
      id: t.id,
      status: t.status,
      done: t.jobs.done,
      failed: t.jobs.failed,
      total: t.jobs.total,
      percent: t.jobs.total === 0 ? 100 : Math.floor(((t.jobs.done + t.jobs.failed) / t.jobs.total) * 100),
      running: t.jobs.running,
      busyWorkers: t.workers.filter((w) => w.running > 0).length,
      workers: [...t.workers].sort((a, b) => b.attempts - a.attempts || (a.id < b.id ? -1 : 1)),
      createdAt: t.createdAt,
    }))
    .sort(
      (a, b) =>
        Number(b.status === "running") - Number(a.status === "running") ||
        b.createdAt - a.createdAt ||
        (a.id < b.id ? -1 : 1),
    );
}
