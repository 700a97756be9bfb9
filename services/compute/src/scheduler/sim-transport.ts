import { canonicalJson, type JobOutcome } from "@p2pnode/codec";
import type { Clock } from "@p2pnode/kit";
import type { AttemptResult, JobSpec, WorkerInfo, WorkerTransport } from "./transport.js";

/*
 * Simulated workers for the sim tier and benchmarks: thousands of jobs in one process, answers
 * computed by a reference function. Dishonest workers answer wrong on every job they take:
 * "liars" each with their own wrong value, "colluders" all with the same wrong value per job
 * (the attack replication must survive). "Flaky" workers sometimes never answer.
 */

export type SimBehaviour = "honest" | "liar" | "colluder" | "flaky";

export interface SimWorker {
  id: string;
  behaviour: SimBehaviour;
  slots: number;
}

export interface SimOptions {
  workers: SimWorker[];
  /** The honest answer of a job. */
  truth: (job: JobSpec) => JobOutcome;
  random: () => number;
  /** Probability that a flaky worker never answers (the scheduler's attempt timeout ends it). */
  flakyLoss?: number;
  /**
   * The scheduler's clock (a VirtualClock in the sim tier): an answer arrives 1 ms after the job
   * starts on this clock, so it is always ahead of the attempt's timeout however busy the machine.
   */
  clock: Clock;
}

export class SimTransport implements WorkerTransport {
  /** Runs per worker: the replication overhead is total runs / jobs. */
  readonly runs = new Map<string, number>();
  private readonly banned = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly byId: Map<string, SimWorker>;

  constructor(private readonly o: SimOptions) {
    this.byId = new Map(o.workers.map((w) => [w.id, w]));
  }

  get totalRuns(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r;
    return n;
  }

  workers(): readonly WorkerInfo[] {
    return this.o.workers.filter((w) => !this.banned.has(w.id)).map((w) => ({ id: w.id, slots: w.slots }));
  }

  /** What the gateway does when a peer's score falls too low: the peer is gone. */
  ban(id: string): void {
    this.banned.add(id);
    for (const l of this.listeners) l();
  }

  async run(workerId: string, job: JobSpec, signal: AbortSignal): Promise<AttemptResult> {
    const w = this.byId.get(workerId);
    if (!w || this.banned.has(workerId))
      return { kind: "failed", code: "WORKER_UNAVAILABLE", message: "gone" };
    this.runs.set(workerId, (this.runs.get(workerId) ?? 0) + 1);
    await new Promise<void>((r) => this.o.clock.setTimeout(r, 1));
    if (w.behaviour === "flaky" && this.o.random() < (this.o.flakyLoss ?? 0.3))
      return new Promise((resolve) =>
        signal.addEventListener("abort", () => resolve({ kind: "failed", code: "TIMEOUT", message: "lost" })),
      );
    const outcome = this.answer(w, job);
    return { kind: "result", outcome, instructions: 10_000, ms: 1 };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private answer(w: SimWorker, job: JobSpec): JobOutcome {
    if (w.behaviour === "liar")
      return { ok: true, json: canonicalJson({ wrong: w.id, job: job.jobIndex, r: this.o.random() }) };
    if (w.behaviour === "colluder") return { ok: true, json: canonicalJson({ colluded: job.input }) };
    return this.o.truth(job);
  }
}
