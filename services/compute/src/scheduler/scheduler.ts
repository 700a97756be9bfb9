import { randomUUID } from "node:crypto";
import type { JobOutcome } from "@p2pnode/codec";
import { type Clock, type Logger, systemClock, type TimerHandle } from "@p2pnode/kit";
import type { JobCounts, TaskEvent } from "@p2pnode/types";
import { ComputeError } from "../errors.js";
import { isProvedFunction } from "../peers/proved.js";
import {
  type ComputeStore,
  type IdempotentSubmit,
  newTask,
  type TaskRow,
  type TaskSpec,
  type WorkerRecord,
} from "../store.js";
import { Finisher, type Reducer } from "./finish.js";
import { jobSeed, outcomeHash } from "./hashes.js";
import { type LiveAttempt, LiveJob, type LiveTask, type VoteRule } from "./live-job.js";
import type { AttemptResult, WorkerInfo, WorkerTransport } from "./transport.js";
import {
  defaultTrustOptions,
  isDistrusted,
  isExperienced,
  judged,
  newWorkerRecord,
  spotCheckProbability,
  type TrustOptions,
} from "./trust.js";

export interface SchedulerOptions {
  /** Added to a task's deadline for one attempt's timeout: queueing and transfer time. */
  attemptGraceMs: number;
  /**
   * Attempts a job may use beyond 3 × replication + the probation extra before it fails
   * (ATTEMPTS_EXHAUSTED): room for a dispute with a few wrong answers and a few timeouts.
   */
  extraAttempts: number;
  /** Pause before dispatching again after a worker refused (its queue was full). */
  retryDelayMs: number;
  /**
   * After a restart, how long a resumed task's jobs wait for peers' capacity to be heard again
   * before one fails for want of workers: at start only the local worker is known.
   */
  resumeGraceMs: number;
  trust: TrustOptions;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  attemptGraceMs: 10_000,
  extraAttempts: 4,
  retryDelayMs: 250,
  resumeGraceMs: 20_000,
  trust: defaultTrustOptions,
};

/** A worker whose answer lost to the accepted one (later: fed to the gateway's peer score). */
export interface Disagreement {
  taskId: string;
  jobIndex: number;
  acceptedHash: string;
  resultHash: string;
}

export interface SchedulerMetrics {
  attempt(worker: string, status: string, ms: number): void;
  job(status: "accepted" | "failed"): void;
  retried(): void;
  disagreement(): void;
  task(status: "done" | "failed"): void;
}

export interface SchedulerModules {
  store: ComputeStore;
  transport: WorkerTransport;
  log: Logger;
  reduce: Reducer;
  reputation: (workerId: string, d: Disagreement) => void;
  onEvent?: (e: TaskEvent) => void;
  metrics?: SchedulerMetrics;
  /** Chooses workers and spot checks; seeded in simulations. */
  random?: () => number;
  /**
   * Attempt timeouts, retry pauses, resume grace and distrust periods; virtual in simulations, so a
   * busy machine cannot time out an answer that is already on its way. Record timestamps
   * (createdAt, finishedAt, event times) stay wall-clock.
   */
  clock?: Clock;
}

/**
 * Runs tasks: each job on distinct workers through the transport, accepted by the lead rule of
 * LiveJob, retried elsewhere after a timeout, refusal or disagreement; workers that keep agreeing
 * run alone with spot checks (adaptive replication), workers caught disagreeing are reported and
 * get nothing more for a while. State lives in the store; start() resumes what was running.
 */
export class Scheduler {
  private readonly tasks = new Map<string, LiveTask>();
  private readonly started: LiveJob[] = [];
  private readonly fresh: LiveJob[] = [];
  private readonly records = new Map<string, WorkerRecord>();
  private readonly load = new Map<string, number>();
  private readonly finisher: Finisher;
  private readonly random: () => number;
  private unsubscribe: (() => void) | undefined;
  private retryTimer: TimerHandle | undefined;
  private seq = 0;
  private held: TaskEvent[] | undefined;
  private stopped = false;
  private startedAt = 0;
  private readonly resumed = new Set<string>();
  private resumeTimer: TimerHandle | undefined;
  private readonly clock: Clock;

  constructor(
    readonly opts: SchedulerOptions,
    private readonly m: SchedulerModules,
  ) {
    this.random = m.random ?? Math.random;
    this.clock = m.clock ?? systemClock;
    this.finisher = new Finisher(m.store, m.reduce);
  }

  /** Loads worker records and every running task, then dispatches. */
  start(): void {
    for (const w of this.m.store.workers()) this.records.set(w.id, w);
    this.startedAt = this.clock.now();
    for (const row of this.m.store.tasksWithStatus("running")) this.resume(row);
    this.unsubscribe = this.m.transport.onChange(() => this.pump());
    // Jobs that waited out the grace for want of workers fail on this pump at the latest.
    if (this.resumed.size > 0)
      this.resumeTimer = this.clock.setTimeout(() => this.pump(), this.opts.resumeGraceMs + 50);
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.clock.clearTimeout(this.retryTimer);
    this.clock.clearTimeout(this.resumeTimer);
    for (const t of this.tasks.values())
      for (const j of t.jobs)
        for (const a of j.inFlight.values()) {
          this.clock.clearTimeout(a.timer);
          a.abort.abort();
        }
    this.tasks.clear();
  }

  /**
   * Schedules a running task this process does not know: one stored by an orphaned process of
   * the service after this one loaded its running tasks (start()). A replay of its submission
   * acknowledges it, so it must then run, not wait for the next restart. No-op for a task it
   * knows, one that ended, or once stopped.
   */
  adopt(row: TaskRow): void {
    if (this.stopped || row.status !== "running" || this.tasks.has(row.id)) return;
    this.resume(row);
    this.pump();
  }

  /** Jobs of a task with an attempt in flight. */
  runningJobs(taskId: string): number {
    return this.tasks.get(taskId)?.running.size ?? 0;
  }

  /** Attempts in flight per worker across a task's jobs (for task lists). */
  runningWorkers(taskId: string): Map<string, number> {
    const out = new Map<string, number>();
    const task = this.tasks.get(taskId);
    for (const index of task?.running ?? []) {
      for (const a of task!.jobs[index]?.inFlight.values() ?? [])
        out.set(a.worker, (out.get(a.worker) ?? 0) + 1);
    }
    return out;
  }

  /** In-flight workers and the lead a live job needs (for progress views). */
  liveJob(taskId: string, index: number): { running: string[]; needed: number } | undefined {
    const job = this.tasks.get(taskId)?.jobs[index];
    if (!job) return undefined;
    return { running: [...job.inFlight.values()].map((a) => a.worker), needed: job.needed };
  }

  /** Distinct workers a job could use now (for the INSUFFICIENT_WORKERS check). */
  usableWorkers(): WorkerInfo[] {
    const now = this.clock.now();
    return this.m.transport
      .workers()
      .filter((w) => w.slots > 0 && !isDistrusted(this.records.get(w.id), now));
  }

  /** Persists a validated task with its jobs (the acknowledgement), then schedules it. */
  submit(row: TaskSpec, inputs: string[], idem?: IdempotentSubmit): TaskRow {
    const usable = this.usableWorkers().length;
    if (row.replication > usable)
      throw new ComputeError(
        "INSUFFICIENT_WORKERS",
        `replication ${row.replication} needs as many distinct workers; ${usable} available`,
        { replication: row.replication, available: usable },
      );
    const task = newTask(row, randomUUID(), Date.now());
    this.m.store.insertTask(task, inputs, idem);
    const live = this.live(task, inputs.length);
    live.jobs = inputs.map((input, i) => new LiveJob(live, i, input));
    this.tasks.set(task.id, live);
    for (const j of live.jobs) this.enqueue(j);
    this.pump();
    return task;
  }

  private live(row: TaskRow, open: number): LiveTask {
    const memoryBytes = this.m.store.getFunction(row.functionHash)?.limits.memoryBytes ?? 0;
    return { row, jobs: [], open, ended: false, memoryBytes, done: 0, failed: 0, running: new Set() };
  }

  private resume(row: TaskRow): void {
    const live = this.live(row, 0);
    const attempts = this.m.store.attempts(row.id);
    for (const j of this.m.store.jobs(row.id)) {
      const job = new LiveJob(live, j.index, j.input);
      live.jobs.push(job);
      if (j.status === "accepted") {
        job.decided = { hash: j.resultHash ?? "", outcome: { ok: true, json: j.result ?? "null" } };
        live.done++;
        continue;
      }
      live.open++;
      for (const a of attempts.filter((x) => x.jobIndex === j.index)) {
        // As while running: a refusal (a busy worker) or an attempt cancelled because its task
        // ended is no attempt. Counting the refusals of a long task would exhaust its jobs'
        // attempts on resume and fail it at once.
        if (a.status === "refused" || a.status === "lost") continue;
        job.attempts++;
        if (a.resultHash && a.outcome)
          job.addVote(a.resultHash, a.worker, JSON.parse(a.outcome) as JobOutcome);
        else job.failedOn.add(a.worker);
      }
      job.planned = job.attempts > 0;
    }
    this.tasks.set(row.id, live);
    this.resumed.add(row.id);
    this.m.log.info({ taskId: row.id, open: live.open }, "resuming task");
    if (live.open === 0) void this.finish(live);
    for (const j of live.jobs) if (!j.decided) this.settleOrEnqueue(j);
  }

  /** Jobs already started go before fresh ones: finish what is begun before planning more. */
  private enqueue(job: LiveJob): void {
    if (job.queued || job.decided || job.task.ended) return;
    job.queued = true;
    (job.planned ? this.started : this.fresh).push(job);
  }

  /** Starts attempts while workers have free slots; jobs that find no worker wait their turn. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const workers = this.m.transport.workers().filter((w) => !isDistrusted(this.records.get(w.id), now));
    const free = new Map(workers.map((w) => [w.id, w.slots - (this.load.get(w.id) ?? 0)]));
    const capacity = { left: [...free.values()].reduce((a, b) => a + Math.max(0, b), 0) };
    this.drain(this.started, workers, free, capacity);
    this.drain(this.fresh, workers, free, capacity);
  }

  /** Serves one queue in order; the jobs it could not satisfy keep their place at its head. */
  private drain(
    queue: LiveJob[],
    workers: WorkerInfo[],
    free: Map<string, number>,
    capacity: { left: number },
  ) {
    const waiting: LiveJob[] = [];
    let i = 0;
    for (; i < queue.length && capacity.left > 0; i++) {
      const job = queue[i]!;
      const want = job.wanted(this.required(job));
      if (want <= 0) {
        job.queued = false;
        // Its voters may have become experienced since: the rule can be met without new answers.
        if (job.inFlight.size === 0) this.settleOrEnqueue(job);
        continue;
      }
      capacity.left -= this.dispatch(job, want, workers, free);
      if (job.wanted(this.required(job)) > 0) {
        if (job.inFlight.size === 0 && !this.anyCandidate(job, workers) && !this.awaitingPeers(job))
          this.failJob(job, noWorkers(job));
        else waiting.push(job);
      } else job.queued = false;
    }
    queue.splice(0, i, ...waiting);
  }

  /** Picks distinct workers at random among those with free slots; plans adaptive replication. */
  private dispatch(job: LiveJob, want: number, workers: WorkerInfo[], free: Map<string, number>): number {
    const fresh = (w: WorkerInfo) =>
      !job.answered.has(w.id) && !job.isBusyOn(w.id) && (free.get(w.id) ?? 0) > 0;
    let pool = workers.filter((w) => fresh(w) && !job.failedOn.has(w.id));
    // A worker that failed this job gets it again only when nobody else is left — not merely
    // when the others are busy: a worker failing fast (a bad proof, a broken service) would
    // otherwise burn the job's attempts while an honest worker finishes its queue.
    const untried = workers.some(
      (w) => w.slots > 0 && !job.answered.has(w.id) && !job.failedOn.has(w.id) && !job.isBusyOn(w.id),
    );
    if (pool.length === 0 && !untried) pool = workers.filter(fresh);
    if (pool.length === 0) return 0;
    shuffle(pool, this.random);
    let spotCheck = false;
    if (!job.planned) {
      job.planned = true;
      const first = pool[0];
      const p = first ? spotCheckProbability(this.record(first.id), this.opts.trust) : 1;
      if (job.task.row.adaptive && job.replicas > 1 && p < 1) {
        // A trusted worker: alone, unless this job is drawn for a spot check.
        if (this.random() >= p) {
          job.needed = 1;
          job.replicas = 1;
          want = 1;
        } else spotCheck = true;
      }
    }
    let started = 0;
    for (const w of pool.slice(0, want)) {
      this.startAttempt(job, w.id, spotCheck);
      spotCheck = false;
      free.set(w.id, (free.get(w.id) ?? 0) - 1);
      started++;
    }
    return started;
  }

  /**
   * The trust rules of a vote. A worker distrusted since it answered (caught lying on another job)
   * no longer counts. Probation: an answer given only by workers without a validated record (and
   * not by this node) needs `quorum + probationExtra` votes — or every usable worker's, if fewer —
   * so colluding newcomers can win a job only by filling a larger quorum.
   */
  private required(job: LiveJob): VoteRule {
    const now = this.clock.now();
    const counts = (w: string) => !isDistrusted(this.records.get(w), now);
    const minVotes = (hash: string) => {
      if (job.needed < 2) return job.needed;
      const workers = this.m.transport.workers();
      const voters = (job.votes.get(hash)?.workers ?? []).filter(counts);
      const anchored = voters.some(
        (w) =>
          workers.some((x) => x.self && x.id === w) ||
          isExperienced(this.records.get(w), now, this.opts.trust),
      );
      if (anchored) return job.needed;
      const usable = workers.filter((w) => counts(w.id)).length;
      return Math.min(job.needed + this.opts.trust.probationExtra, Math.max(job.needed, usable));
    };
    return { counts, minVotes };
  }

  /** A job of a task resumed at start, within the grace for peers to advertise capacity again. */
  private awaitingPeers(job: LiveJob): boolean {
    return this.resumed.has(job.task.row.id) && this.clock.now() - this.startedAt < this.opts.resumeGraceMs;
  }

  private anyCandidate(job: LiveJob, workers: WorkerInfo[]): boolean {
    return workers.some((w) => w.slots > 0 && !job.answered.has(w.id));
  }

  private startAttempt(job: LiveJob, worker: string, spotCheck: boolean): void {
    const row = job.task.row;
    const id = `${row.id}/${job.index}/${++this.seq}`;
    const abort = new AbortController();
    const timer = this.clock.setTimeout(() => abort.abort(), row.deadlineMs + this.opts.attemptGraceMs);
    const attempt: LiveAttempt = { id, worker, spotCheck, abort, timer };
    job.inFlight.set(id, attempt);
    job.attempts++;
    this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
    job.task.running.add(job.index);
    const spec = {
      attemptId: id,
      taskId: row.id,
      jobIndex: job.index,
      functionHash: row.functionHash,
      input: job.input,
      ...(row.seed !== null && { seed: jobSeed(row.seed, job.index) }),
      limits: { memoryBytes: job.task.memoryBytes, budget: row.budget, deadlineMs: row.deadlineMs },
      ...(isProvedFunction(row.functionHash) && { proved: "rescue-chain" as const }),
    };
    const timedOut = new Promise<AttemptResult>((resolve) =>
      abort.signal.addEventListener("abort", () =>
        resolve({ kind: "failed", code: "TIMEOUT", message: "no answer within the attempt's deadline" }),
      ),
    );
    const answer = this.m.transport.run(worker, spec, abort.signal).catch(
      (err: unknown): AttemptResult => ({
        kind: "failed",
        code: (err as { code?: string }).code ?? "WORKER_UNAVAILABLE",
        message: (err as Error).message,
        refused: (err as { code?: string }).code === "QUEUE_FULL",
      }),
    );
    void Promise.race([answer, timedOut]).then((r) => this.completed(job, attempt, r));
  }

  /** Stops an attempt nobody needs any more; it is not the worker's failure. */
  private cancel(a: LiveAttempt): void {
    a.cancelled = true;
    a.abort.abort();
  }

  private completed(job: LiveJob, a: LiveAttempt, r: AttemptResult): void {
    this.clock.clearTimeout(a.timer);
    if (!job.inFlight.delete(a.id) || this.stopped) return;
    if (job.inFlight.size === 0) job.task.running.delete(job.index);
    this.load.set(a.worker, Math.max(0, (this.load.get(a.worker) ?? 1) - 1));
    if (a.cancelled) {
      this.m.store.insertAttempt(
        this.attemptRow(job, a, "lost", null, null, { code: "CANCELLED", message: "the task ended" }),
      );
      this.pump();
      return;
    }
    const ms = r.kind === "result" ? r.ms : 0;
    this.m.metrics?.attempt(a.worker, r.kind === "result" ? "result" : r.code, ms);
    if (r.kind === "failed") this.attemptFailed(job, a, r);
    else this.answered(job, a, r);
    this.pump();
  }

  private attemptFailed(job: LiveJob, a: LiveAttempt, r: Extract<AttemptResult, { kind: "failed" }>): void {
    const status = r.refused ? "refused" : r.code === "TIMEOUT" ? "timeout" : "error";
    if (r.refused) job.attempts--;
    else job.failedOn.add(a.worker);
    // A lone run that failed proves nothing about anyone else: back to full replication.
    if (job.needed === 1 && job.task.row.replication > 1) {
      job.needed = job.task.row.quorum;
      job.replicas = job.task.row.replication;
    }
    const rec = this.record(a.worker);
    rec.errors++;
    this.m.store.tx(() => {
      this.m.store.insertAttempt(
        this.attemptRow(job, a, status, null, null, { code: r.code, message: r.message }),
      );
      this.m.store.putWorker(rec);
    });
    this.m.metrics?.retried();
    this.emit(job.task, "attempt", { job: job.index, worker: a.worker, status });
    if (r.refused) this.retryLater();
    this.settleOrEnqueue(job);
  }

  private answered(job: LiveJob, a: LiveAttempt, r: Extract<AttemptResult, { kind: "result" }>): void {
    const hash = outcomeHash(r.outcome);
    const late = job.decided;
    if (late) {
      // Judged on arrival against the accepted answer.
      const agreed = hash === late.hash;
      this.m.store.tx(() => {
        this.m.store.insertAttempt(this.attemptRow(job, a, status(r), hash, null, null, r, agreed));
        this.judge(job, a.worker, agreed, true, hash, late.hash);
      });
      this.emit(job.task, "attempt", {
        job: job.index,
        worker: a.worker,
        status: agreed ? "agreed" : "disagreed",
      });
      return;
    }
    job.addVote(hash, a.worker, r.outcome);
    // The answer and the decision it may cause commit together (one fsync per decided job);
    // events wait for the commit.
    this.afterCommit(() =>
      this.m.store.tx(() => {
        this.m.store.insertAttempt(
          this.attemptRow(job, a, status(r), hash, JSON.stringify(r.outcome), null, r),
        );
        this.emit(job.task, "attempt", { job: job.index, worker: a.worker, status: "answered" });
        this.settleOrEnqueue(job);
      }),
    );
  }

  /** Runs `fn` (a transaction) holding back the events it emits until it has returned. */
  private afterCommit(fn: () => void): void {
    const held: TaskEvent[] = [];
    this.held = held;
    try {
      fn();
    } finally {
      this.held = undefined;
    }
    for (const e of held) this.m.onEvent?.(e);
  }

  /** Accepts the job if the rule is met, fails it if it can never be, else asks for more attempts. */
  private settleOrEnqueue(job: LiveJob): void {
    if (job.decided || job.task.ended) return;
    const hash = job.acceptable(this.required(job));
    const cap = 3 * job.task.row.replication + this.opts.trust.probationExtra + this.opts.extraAttempts;
    if (hash) this.accept(job, hash);
    else if (job.attempts < cap) this.enqueue(job);
    else if (job.inFlight.size === 0)
      this.failJob(job, {
        code: "ATTEMPTS_EXHAUSTED",
        message: `no agreement after ${job.attempts} attempts`,
      });
  }

  private accept(job: LiveJob, hash: string): void {
    const vote = job.votes.get(hash)!;
    job.decided = { hash, outcome: vote.outcome };
    job.task.open--;
    vote.outcome.ok ? job.task.done++ : job.task.failed++;
    const validated = vote.workers.length >= 2;
    const ok = vote.outcome.ok;
    this.m.store.tx(() => {
      this.m.store.setJob(job.task.row.id, job.index, {
        status: ok ? "accepted" : "failed",
        result: vote.outcome.ok ? vote.outcome.json : null,
        resultHash: hash,
        error: vote.outcome.ok ? null : { code: vote.outcome.code, message: vote.outcome.message },
      });
      this.m.store.judgeAttempts(job.task.row.id, job.index, hash);
      for (const [h, v] of job.votes)
        for (const w of v.workers) this.judge(job, w, h === hash, validated, h, hash);
    });
    this.m.metrics?.job(ok ? "accepted" : "failed");
    this.emit(job.task, "job", { job: job.index, status: ok ? "accepted" : "failed" });
    if (!vote.outcome.ok)
      this.endTask(job.task, {
        code: vote.outcome.code,
        message: `job ${job.index}: ${vote.outcome.message}`,
      });
    else if (job.task.open === 0) void this.finish(job.task);
  }

  private judge(
    job: LiveJob,
    worker: string,
    agreed: boolean,
    validated: boolean,
    hash: string,
    accepted: string,
  ): void {
    const rec = this.record(worker);
    judged(rec, agreed, validated, this.clock.now(), this.opts.trust);
    this.m.store.putWorker(rec);
    if (agreed) return;
    this.m.metrics?.disagreement();
    this.m.reputation(worker, {
      taskId: job.task.row.id,
      jobIndex: job.index,
      acceptedHash: accepted,
      resultHash: hash,
    });
  }

  private failJob(job: LiveJob, error: { code: string; message: string }): void {
    if (job.decided) return;
    job.decided = { hash: "", outcome: { ok: false, ...error } };
    job.task.open--;
    job.task.failed++;
    this.m.store.tx(() => {
      this.m.store.setJob(job.task.row.id, job.index, {
        status: "failed",
        result: null,
        resultHash: null,
        error,
      });
      this.m.store.judgeAttempts(job.task.row.id, job.index, null);
    });
    this.m.metrics?.job("failed");
    this.emit(job.task, "job", { job: job.index, status: "failed" });
    this.endTask(job.task, { code: error.code, message: `job ${job.index}: ${error.message}` });
  }

  /** Fail fast: one failed job fails the task; its other jobs stop. */
  private endTask(task: LiveTask, error: { code: string; message: string }): void {
    if (task.ended) return;
    task.ended = true;
    for (const j of task.jobs) for (const a of j.inFlight.values()) this.cancel(a);
    this.m.store.tx(() => {
      this.m.store.cancelOpenJobs(task.row.id);
      this.m.store.finishTask(
        task.row.id,
        { status: "failed", result: null, resultHash: null, error },
        Date.now(),
      );
    });
    this.tasks.delete(task.row.id);
    this.m.metrics?.task("failed");
    this.emit(task, "failed", {});
  }

  private async finish(task: LiveTask): Promise<void> {
    task.ended = true;
    const status = await this.finisher.finish(task.row, task.jobs);
    this.tasks.delete(task.row.id);
    this.m.metrics?.task(status);
    this.emit(task, status, {});
  }

  private record(id: string): WorkerRecord {
    let r = this.records.get(id);
    if (!r) {
      r = newWorkerRecord(id);
      this.records.set(id, r);
    }
    return r;
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.opts.retryDelayMs);
  }

  private attemptRow(
    job: LiveJob,
    a: LiveAttempt,
    st: "ok" | "error" | "timeout" | "refused" | "lost",
    resultHash: string | null,
    outcome: string | null,
    error: { code: string; message: string } | null,
    r?: Extract<AttemptResult, { kind: "result" }>,
    agreed: boolean | null = null,
  ) {
    const outcomeError = r && !r.outcome.ok ? { code: r.outcome.code, message: r.outcome.message } : null;
    return {
      taskId: job.task.row.id,
      jobIndex: job.index,
      worker: a.worker,
      status: st,
      resultHash,
      outcome,
      error: error ?? outcomeError,
      instructions: r?.instructions ?? null,
      ms: r?.ms ?? null,
      spotCheck: a.spotCheck,
      agreed,
      finishedAt: Date.now(),
    };
  }

  private emit(task: LiveTask, type: TaskEvent["type"], extra: Partial<TaskEvent>): void {
    if (!this.m.onEvent) return;
    const e = { taskId: task.row.id, type, jobs: this.counts(task), at: Date.now(), ...extra };
    if (this.held) this.held.push(e);
    else this.m.onEvent(e);
  }

  private counts(task: LiveTask): JobCounts {
    const { done, failed } = task;
    const running = task.ended ? 0 : task.running.size;
    return {
      total: task.jobs.length,
      done,
      failed,
      running,
      pending: task.jobs.length - done - failed - running,
    };
  }
}

const status = (r: Extract<AttemptResult, { kind: "result" }>) =>
  (r.outcome.ok ? "ok" : "error") as "ok" | "error";

function noWorkers(job: LiveJob) {
  return {
    code: "INSUFFICIENT_WORKERS",
    message: `no worker left that has not answered job ${job.index} (${job.answered.size} answered)`,
  };
}

function shuffle<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
