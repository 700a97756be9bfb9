import { availableParallelism } from "node:os";
import { parseEnv } from "@p2pnode/kit";
import { z } from "zod";
import type { SandboxPoolOptions } from "./sandbox/sandbox-pool.js";
import { defaultSchedulerOptions, type SchedulerOptions } from "./scheduler/scheduler.js";

/** Options of the compute service; plain data with a reason for each default. */
export interface ComputeOptions {
  pool: SandboxPoolOptions;
  scheduler: SchedulerOptions;
}

export const defaultPoolOptions: SandboxPoolOptions = {
  // Sandboxed code is CPU-bound and single-threaded per job: one thread per spare core.
  threads: Math.max(1, Math.min(8, availableParallelism() - 1)),
  // Bounds memory and latency; beyond it a worker refuses with QUEUE_FULL and the scheduler retries.
  maxQueue: 64,
  // A thread still busy this long past its job's deadline is terminated (native code does not poll).
  graceMs: 2_000,
  // Far above what QuickJS's own 256 KiB stack check lets a function use.
  stackSizeMb: 32,
  recycleAfterJobs: 1_000,
};

export const defaultComputeOptions: ComputeOptions = {
  pool: defaultPoolOptions,
  scheduler: defaultSchedulerOptions,
};

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ComputeEnv = z.object({
  P2PNODE_COMPUTE_THREADS: int(1, 64).optional(),
  P2PNODE_COMPUTE_MAX_QUEUE: int(0, 100_000).optional(),
  P2PNODE_COMPUTE_ATTEMPT_GRACE_MS: int(0, 600_000).optional(),
});

export function computeOptionsFromEnv(env: NodeJS.ProcessEnv): ComputeOptions {
  const e = parseEnv(ComputeEnv, env);
  return {
    pool: {
      ...defaultPoolOptions,
      ...(e.P2PNODE_COMPUTE_THREADS !== undefined && { threads: e.P2PNODE_COMPUTE_THREADS }),
      ...(e.P2PNODE_COMPUTE_MAX_QUEUE !== undefined && { maxQueue: e.P2PNODE_COMPUTE_MAX_QUEUE }),
    },
    scheduler: {
      ...defaultSchedulerOptions,
      ...(e.P2PNODE_COMPUTE_ATTEMPT_GRACE_MS !== undefined && {
        attemptGraceMs: e.P2PNODE_COMPUTE_ATTEMPT_GRACE_MS,
      }),
    },
  };
}
