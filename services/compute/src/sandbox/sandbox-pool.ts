import type { Worker } from "node:worker_threads";
import { type Logger, siblingEntry, startWorker } from "@p2pnode/kit";
import { ComputeError } from "../errors.js";
import type { SandboxOutcome, SandboxRequest } from "./sandbox.js";
import type { FromSandbox, ToSandbox } from "./sandbox-worker.js";

export interface SandboxPoolOptions {
  /** Sandbox threads: jobs running at once. */
  threads: number;
  /** Jobs waiting for a thread before new ones are refused (QUEUE_FULL). */
  maxQueue: number;
  /**
   * The host's backstop: a thread still busy this long after its job's deadline is terminated
   * and replaced. The interpreter checks the deadline itself, but only while bytecode runs; a long
   * call into its C code (a huge sort, a regexp) does not poll.
   */
  graceMs: number;
  /** Native stack of each thread; large, so QuickJS's own stack check always fires first. */
  stackSizeMb: number;
  /** A thread is replaced after this many jobs (the WebAssembly heap never shrinks). */
  recycleAfterJobs: number;
}

interface Pending {
  id: number;
  req: SandboxRequest;
  resolve: (o: SandboxOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: (Pending & { timer: NodeJS.Timeout; startedAt: number }) | undefined;
  jobsRun: number;
  gone: boolean;
}

export interface SandboxPoolStats {
  threads: number;
  busy: number;
  queued: number;
  /** Threads replaced after a timeout, a crash or their job quota. */
  replaced: number;
}

/**
 * A fixed number of sandbox threads behind a bounded FIFO queue. A thread that overruns its job's
 * deadline, crashes or reports damage is terminated and replaced; the other threads and the
 * queued jobs carry on.
 */
export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private replaced = 0;
  private stopped = false;
  /** Threads that died before becoming ready, since the last one that did. */
  private startFailures = 0;

  constructor(
    readonly opts: SandboxPoolOptions,
    private readonly deps: {
      log: Logger;
      onReplaced?: (reason: string) => void;
      onOutcome?: (o: SandboxOutcome) => void;
      onRejected?: () => void;
    },
  ) {}

  get stats(): SandboxPoolStats {
    return {
      threads: this.slots.length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      replaced: this.replaced,
    };
  }

  /** False after threads repeatedly fail to start (a broken install): /ready reports it. */
  get healthy(): boolean {
    return !this.stopped && this.startFailures < MAX_START_FAILURES;
  }

  /** Jobs it would accept now without refusing: idle threads plus free queue places. */
  get freeCapacity(): number {
    if (this.stopped) return 0;
    const idle = this.opts.threads - this.slots.filter((s) => s.job).length;
    return Math.max(0, idle - this.queue.length) + Math.max(0, this.opts.maxQueue - this.queue.length);
  }

  /** Runs a job; refuses with QUEUE_FULL (429) when every thread is busy and the queue is full. */
  run(req: SandboxRequest): Promise<SandboxOutcome> {
    if (this.stopped) return Promise.reject(new ComputeError("WORKER_UNAVAILABLE", "sandbox pool stopped"));
    const busy = this.slots.filter((s) => s.job).length + this.queue.length;
    if (busy >= this.opts.threads + this.opts.maxQueue) {
      this.deps.onRejected?.();
      return Promise.reject(
        new ComputeError("QUEUE_FULL", `sandbox queue is full (${this.opts.maxQueue} waiting)`, {
          threads: this.opts.threads,
          maxQueue: this.opts.maxQueue,
        }),
      );
    }
    return new Promise((resolve) => {
      const done = (o: SandboxOutcome) => {
        this.deps.onOutcome?.(o);
        resolve(o);
      };
      this.queue.push({ id: this.nextId++, req, resolve: done });
      this.pump();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const outcome = failure("WORKER_UNAVAILABLE", "sandbox pool stopped", 0);
    for (const p of this.queue.splice(0)) p.resolve(outcome);
    for (const s of this.slots) {
      s.gone = true;
      if (s.job) {
        clearTimeout(s.job.timer);
        s.job.resolve(outcome);
        s.job = undefined;
      }
    }
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.stopped) {
      const slot = this.slots.find((s) => s.ready && !s.job);
      if (!slot) break;
      this.dispatch(slot, this.queue.shift()!);
    }
    // Threads start with the first jobs, not with the service: an idle node costs nothing.
    let starting = this.slots.filter((s) => !s.ready).length;
    while (!this.stopped && this.queue.length > starting && this.slots.length < this.opts.threads) {
      this.slots.push(this.spawn());
      starting++;
    }
  }

  private dispatch(slot: Slot, p: Pending): void {
    const limitMs = p.req.limits.deadlineMs + this.opts.graceMs;
    const timer = setTimeout(() => this.backstop(slot), limitMs);
    slot.job = { ...p, timer, startedAt: performance.now() };
    slot.worker.postMessage({ id: p.id, req: p.req } satisfies ToSandbox);
  }

  private backstop(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    const ms = performance.now() - job.startedAt;
    job.resolve(failure("TIMEOUT", `no answer ${Math.round(ms)} ms after start: thread terminated`, ms));
    this.replace(slot, "backstop");
  }

  private spawn(): Slot {
    const worker = startWorker(siblingEntry(import.meta.url, "sandbox-worker"), {
      resourceLimits: { stackSizeMb: this.opts.stackSizeMb, maxOldGenerationSizeMb: 128 },
    });
    const slot: Slot = { worker, ready: false, job: undefined, jobsRun: 0, gone: false };
    worker.on("message", (msg: FromSandbox) => this.onMessage(slot, msg));
    const lost = (why: string, detail = why) => {
      if (slot.gone) return;
      if (!slot.ready) this.startFailed(detail);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        clearTimeout(job.timer);
        job.resolve(failure("SANDBOX_CRASHED", `sandbox thread ${why}`, performance.now() - job.startedAt));
      }
      this.replace(slot, why);
    };
    worker.on("error", (err) => {
      this.deps.log.warn({ err: err.message }, "sandbox thread failed");
      lost("failed", err.message);
    });
    worker.on("exit", () => lost("exited"));
    return slot;
  }

  private onMessage(slot: Slot, msg: FromSandbox): void {
    if ("ready" in msg) {
      slot.ready = true;
      this.startFailures = 0;
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    slot.jobsRun++;
    job.resolve(msg.outcome);
    if (msg.outcome.recycle) this.replace(slot, `damaged by ${msg.outcome.ok ? "run" : msg.outcome.code}`);
    else if (slot.jobsRun >= this.opts.recycleAfterJobs) this.replace(slot, "job quota");
    else this.pump();
  }

  /**
   * A thread that cannot even start will not start next time either: after a few in a row the
   * waiting jobs fail (SANDBOX_CRASHED) instead of respawning forever; the next job tries again.
   */
  private startFailed(message: string): void {
    if (++this.startFailures < MAX_START_FAILURES) return;
    const outcome = failure("SANDBOX_CRASHED", `sandbox threads fail to start: ${message}`, 0);
    for (const p of this.queue.splice(0)) p.resolve(outcome);
  }

  /** Terminates a thread and starts another if work is waiting. */
  private replace(slot: Slot, reason: string): void {
    if (slot.gone) return;
    slot.gone = true;
    this.replaced++;
    this.deps.onReplaced?.(reason);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
    this.pump();
  }
}

const MAX_START_FAILURES = 3;

function failure(code: "TIMEOUT" | "SANDBOX_CRASHED" | "WORKER_UNAVAILABLE", message: string, ms: number) {
  return { ok: false as const, code, message, deterministic: false, instructions: 0, ms };
}
