import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { StarkError, traceShape } from "@p2pnode/stark";
import { CodedError, type ZkpJob } from "@p2pnode/types";
import type { ZkpOptions } from "./config.js";
import type { ProveJobInput } from "./prove-job.js";
import type { WorkerReply, WorkerRequest } from "./prove-worker.js";

interface Slot {
  worker: Worker;
  jobId: string | undefined;
}

type Waiter = (job: ZkpJob) => void;

/** Rows of the spend AIR's trace (fixed: 2-in/2-out at depth 32), counted against maxTraceRows. */
const SPEND_ROWS = 4096;

/**
 * Proving in worker threads: a fixed number of workers (the bound on concurrent proofs), a
 * bounded FIFO queue in front of them, and a table of jobs that callers poll. Oversized traces
 * are refused in `submit`, before a job exists; a crashed worker fails its job and is replaced.
 */
export class ProverPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { id: string; job: ProveJobInput }[] = [];
  private readonly jobs = new Map<string, ZkpJob>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly finished: string[] = [];
  private stopped = false;

  /**
   * Threads start with the first job, not with the service: an idle prover costs a node nothing
   * (each thread is a V8 isolate of ~10 MiB), and a devnet runs one zkp service per node.
   */
  constructor(private readonly opts: ZkpOptions) {}

  get stats(): { workers: number; busy: number; queued: number; jobs: number } {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.jobId !== undefined).length,
      queued: this.queue.length,
      jobs: this.jobs.size,
    };
  }

  /** Able to take jobs: threads are (re)started on demand, so only a stop makes this false. */
  get alive(): boolean {
    return !this.stopped;
  }

  /** Rows of the trace this job would need; throws 413 when it exceeds the limit. */
  checkSize(job: ProveJobInput): number {
    if ("spend" in job) return SPEND_ROWS;
    const { rows } = traceShape(job.input);
    if (rows > this.opts.maxTraceRows)
      throw new StarkError(
        "TRACE_TOO_LARGE",
        `trace of ${rows} rows exceeds this node's limit of ${this.opts.maxTraceRows}`,
        { rows, maxTraceRows: this.opts.maxTraceRows },
      );
    return rows;
  }

  submit(job: ProveJobInput): ZkpJob {
    if (this.stopped) throw new CodedError("NOT_READY", "prover pool is stopped");
    this.checkSize(job);
    const idle = this.slots.some((s) => s.jobId === undefined) || this.slots.length < this.opts.workers;
    if (!idle && this.queue.length >= this.opts.maxQueue)
      throw new CodedError(
        "RATE_LIMITED",
        `proving queue is full (${this.opts.maxQueue} waiting)`,
        undefined,
        429,
      );
    const id = randomUUID();
    const record: ZkpJob = { jobId: id, status: "queued", submittedAt: Date.now() };
    this.jobs.set(id, record);
    this.queue.push({ id, job });
    this.pump();
    return { ...record };
  }

  get(id: string): ZkpJob | undefined {
    const j = this.jobs.get(id);
    return j && { ...j };
  }

  /** Resolves when the job is done or failed. */
  wait(id: string): Promise<ZkpJob> {
    const j = this.jobs.get(id);
    if (!j) return Promise.reject(new CodedError("NOT_FOUND", `no job ${id}`));
    if (j.status === "done" || j.status === "failed") return Promise.resolve({ ...j });
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { id } of this.queue.splice(0))
      this.finish(id, { code: "NOT_READY", message: "service stopping" });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const s of this.slots)
      if (s.jobId) this.finish(s.jobId, { code: "NOT_READY", message: "service stopping" });
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.stopped) {
      let slot = this.slots.find((s) => s.jobId === undefined);
      if (!slot && this.slots.length < this.opts.workers) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.jobId = next.id;
      const rec = this.jobs.get(next.id);
      if (rec) rec.status = "running";
      slot.worker.postMessage({ id: next.id, job: next.job } satisfies WorkerRequest);
    }
  }

  private spawn(): Slot {
    const worker = workerEntry.fromSource
      ? new Worker(workerEntry.bootstrap, { eval: true, execArgv: ["--conditions=source"] })
      : new Worker(workerEntry.url);
    const slot: Slot = { worker, jobId: undefined };
    worker.on("message", (reply: WorkerReply) => {
      if ("progress" in reply) {
        const rec = this.jobs.get(reply.id);
        if (rec) rec.progress = reply.progress;
        return;
      }
      slot.jobId = undefined;
      if (reply.ok && "spend" in reply) this.finish(reply.id, undefined, undefined, reply.spend);
      else if (reply.ok) this.finish(reply.id, undefined, reply.result);
      else this.finish(reply.id, { code: reply.code, message: reply.message });
      this.pump();
    });
    const replace = () => {
      if (this.stopped) return;
      if (slot.jobId) this.finish(slot.jobId, { code: "INTERNAL", message: "prover worker crashed" });
      slot.jobId = undefined; // "error" and "exit" may both fire: fail the job once
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      this.pump();
    };
    worker.once("error", replace);
    worker.once("exit", replace);
    return slot;
  }

  private finish(
    id: string,
    error?: { code: string; message: string },
    result?: ZkpJob["result"],
    spendProof?: ZkpJob["spendProof"],
  ): void {
    const rec = this.jobs.get(id);
    if (!rec || rec.status === "done" || rec.status === "failed") return;
    rec.status = error ? "failed" : "done";
    rec.finishedAt = Date.now();
    if (error) rec.error = error;
    if (result) rec.result = result;
    if (spendProof) rec.spendProof = spendProof;
    this.finished.push(id);
    while (this.finished.length > this.opts.keepFinishedJobs) this.jobs.delete(this.finished.shift()!);
    for (const w of this.waiters.get(id) ?? []) w({ ...rec });
    this.waiters.delete(id);
  }
}

/**
 * The worker's entry file. Built code runs dist/prove-worker.js. Tests run on sources: there the
 * worker registers the TypeScript loader itself (Node 20 does not apply `--import` hooks to a
 * worker's entry) and resolves workspace packages through the "source" export condition.
 */
const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(fromSource ? "./prove-worker.ts" : "./prove-worker.js", import.meta.url);
const workerEntry = {
  fromSource,
  url: workerUrl,
  bootstrap: `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
};
