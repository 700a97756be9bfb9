import { Counter, Gauge, type Registry } from "prom-client";
import type { SandboxOutcome } from "./sandbox/sandbox.js";
import type { SandboxPool } from "./sandbox/sandbox-pool.js";
import type { SchedulerMetrics } from "./scheduler/scheduler.js";

/** The compute service's Prometheus metrics: the scheduler's view and this node's sandbox. */
export class ComputeMetrics implements SchedulerMetrics {
  private readonly attempts: Counter<"result">;
  private readonly jobs: Counter<"status">;
  private readonly retries: Counter;
  private readonly disagreements: Counter;
  private readonly tasks: Counter<"status">;
  private readonly runs: Counter<"outcome">;
  private readonly sandboxSeconds: Counter;
  readonly rejected: Counter;
  readonly replaced: Counter<"reason">;

  constructor(registry: Registry, pool: SandboxPool) {
    const registers = [registry];
    this.attempts = new Counter({
      name: "compute_attempts_total",
      help: "job attempts finished by the scheduler, by result (result, TIMEOUT, QUEUE_FULL, ...)",
      labelNames: ["result"],
      registers,
    });
    this.jobs = new Counter({
      name: "compute_jobs_total",
      help: "jobs decided",
      labelNames: ["status"],
      registers,
    });
    this.retries = new Counter({
      name: "compute_jobs_retried_total",
      help: "attempts that had to be re-run elsewhere (timeout, refusal, crash)",
      registers,
    });
    this.disagreements = new Counter({
      name: "compute_disagreements_total",
      help: "results that disagreed with the accepted one",
      registers,
    });
    this.tasks = new Counter({
      name: "compute_tasks_total",
      help: "tasks finished",
      labelNames: ["status"],
      registers,
    });
    this.runs = new Counter({
      name: "compute_sandbox_runs_total",
      help: "runs in this node's sandbox, by outcome (ok or an error code)",
      labelNames: ["outcome"],
      registers,
    });
    this.sandboxSeconds = new Counter({
      name: "compute_sandbox_seconds_total",
      help: "wall-clock seconds spent running jobs in this node's sandbox",
      registers,
    });
    this.rejected = new Counter({
      name: "compute_jobs_rejected_total",
      help: "jobs this node's sandbox refused because its queue was full",
      registers,
    });
    this.replaced = new Counter({
      name: "compute_sandbox_threads_replaced_total",
      help: "sandbox threads terminated and replaced, by reason",
      labelNames: ["reason"],
      registers,
    });
    new Gauge({
      name: "compute_sandbox_queue_jobs",
      help: "jobs waiting for a sandbox thread",
      registers,
      collect() {
        this.set(pool.stats.queued);
      },
    });
    new Gauge({
      name: "compute_sandbox_busy_threads",
      help: "sandbox threads running a job",
      registers,
      collect() {
        this.set(pool.stats.busy);
      },
    });
  }

  sandboxRun(o: SandboxOutcome): void {
    this.runs.inc({ outcome: o.ok ? "ok" : o.code });
    this.sandboxSeconds.inc(o.ms / 1000);
  }

  attempt(_worker: string, result: string): void {
    this.attempts.inc({ result });
  }

  job(status: "accepted" | "failed"): void {
    this.jobs.inc({ status });
  }

  retried(): void {
    this.retries.inc();
  }

  disagreement(): void {
    this.disagreements.inc();
  }

  task(status: "done" | "failed"): void {
    this.tasks.inc({ status });
  }
}
