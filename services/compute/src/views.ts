import type { AttemptView, JobView, TaskStatus, TaskSummary, TaskView } from "@p2pnode/types";
import { CodedError } from "@p2pnode/types";
import type { Scheduler } from "./scheduler/scheduler.js";
import type { ComputeStore } from "./store.js";

export interface TaskViewOptions {
  jobs: boolean;
  offset: number;
  limit: number;
}

/** GET /tasks/:id: the stored task, its job counts and (a page of) per-job detail. */
export function taskView(
  store: ComputeStore,
  scheduler: Scheduler,
  id: string,
  o: TaskViewOptions,
): TaskView {
  const t = store.getTask(id);
  if (!t) throw new CodedError("NOT_FOUND", `no task ${id}`);
  const c = store.jobCounts(id);
  const running = t.status === "running" ? scheduler.runningJobs(id) : 0;
  const decided = c.accepted + c.failed + c.cancelled;
  const view: TaskView = {
    id: t.id,
    function: t.functionHash,
    reduce: t.reduceHash,
    status: t.status,
    replication: t.replication,
    quorum: t.quorum,
    deadlineMs: t.deadlineMs,
    budget: t.budget,
    adaptive: t.adaptive,
    createdAt: t.createdAt,
    finishedAt: t.finishedAt,
    jobs: {
      total: t.jobsTotal,
      done: c.accepted,
      failed: c.failed + c.cancelled,
      running,
      pending: t.jobsTotal - decided - running,
    },
    attempts: store.attemptCounts(id),
    resultHash: t.resultHash,
    error: t.error,
  };
  if (t.result !== null) view.result = JSON.parse(t.result);
  if (o.jobs) view.jobList = jobViews(store, scheduler, id, o);
  return view;
}

/** Most workers listed per task in a task list. */
const WORKERS_PER_TASK = 256;

/**
 * GET /tasks: the newest tasks with their progress and the workers their attempts ran on
 * (finished attempts from the store, in-flight ones from the scheduler).
 */
export function taskList(
  store: ComputeStore,
  scheduler: Scheduler,
  limit: number,
  status?: TaskStatus,
): TaskSummary[] {
  return store.recentTasks(limit, status).map((t) => {
    const {
      result: _r,
      jobList: _j,
      ...view
    } = taskView(store, scheduler, t.id, {
      jobs: false,
      offset: 0,
      limit: 1,
    });
    const workers = new Map(
      store
        .attemptsByWorker(t.id, WORKERS_PER_TASK)
        .map((w) => [w.worker, { id: w.worker, attempts: w.attempts, running: 0, ok: w.ok }]),
    );
    for (const [worker, n] of scheduler.runningWorkers(t.id)) {
      const w = workers.get(worker) ?? { id: worker, attempts: 0, running: 0, ok: 0 };
      w.attempts += n;
      w.running += n;
      workers.set(worker, w);
    }
    return { ...view, workers: [...workers.values()].slice(0, WORKERS_PER_TASK) };
  });
}

function jobViews(store: ComputeStore, scheduler: Scheduler, id: string, o: TaskViewOptions): JobView[] {
  return store.jobs(id, o.offset, o.limit).map((j) => {
    const attempts: AttemptView[] = store.attempts(id, j.index).map((a) => ({
      worker: a.worker,
      status: a.status,
      resultHash: a.resultHash,
      agreed: a.agreed,
      error: a.error,
      instructions: a.instructions,
      ms: a.ms === null ? null : Math.round(a.ms * 100) / 100,
      spotCheck: a.spotCheck,
    }));
    const live = scheduler.liveJob(id, j.index);
    for (const w of live?.running ?? [])
      attempts.push({
        worker: w,
        status: "running",
        resultHash: null,
        agreed: null,
        error: null,
        instructions: null,
        ms: null,
        spotCheck: false,
      });
    const votes = new Map<string, number>();
    for (const a of attempts) if (a.resultHash) votes.set(a.resultHash, (votes.get(a.resultHash) ?? 0) + 1);
    const view: JobView = {
      index: j.index,
      status: j.status === "pending" && live?.running.length ? "running" : j.status,
      attempts,
      agreement: { votes: Math.max(0, ...votes.values()), needed: live?.needed ?? store.getTask(id)!.quorum },
      resultHash: j.resultHash,
      error: j.error,
    };
    if (j.result !== null) view.result = JSON.parse(j.result);
    return view;
  });
}
