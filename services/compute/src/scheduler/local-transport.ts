import { ComputeError } from "../errors.js";
import type { SandboxPool } from "../sandbox/sandbox-pool.js";
import type { StoredFunction } from "../store.js";
import {
  type AttemptResult,
  attemptFromSandbox,
  type JobSpec,
  type WorkerInfo,
  type WorkerTransport,
} from "./transport.js";

/** This node as the one worker: jobs run in its own sandbox pool. */
export class LocalTransport implements WorkerTransport {
  constructor(
    private readonly pool: SandboxPool,
    private readonly functionOf: (hash: string) => StoredFunction | undefined,
    readonly workerId = "local",
  ) {}

  /** Twice the threads: one job running and one waiting per thread keeps every thread busy. */
  workers(): readonly WorkerInfo[] {
    return [{ id: this.workerId, slots: this.pool.opts.threads * 2, self: true }];
  }

  async run(workerId: string, job: JobSpec, _signal: AbortSignal): Promise<AttemptResult> {
    if (workerId !== this.workerId)
      throw new ComputeError("WORKER_UNAVAILABLE", `no local worker ${workerId}`);
    const fn = this.functionOf(job.functionHash);
    if (!fn)
      return {
        kind: "failed",
        code: "UNKNOWN_FUNCTION",
        message: `function ${job.functionHash} is not stored here`,
      };
    const o = await this.pool.run({
      source: fn.source,
      input: job.input,
      seed: job.seed,
      limits: job.limits,
    });
    return attemptFromSandbox(o);
  }

  onChange(): () => void {
    return () => undefined;
  }
}
