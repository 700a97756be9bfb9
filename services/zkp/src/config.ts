import { availableParallelism } from "node:os";
import { parseEnv } from "@p2pnode/kit";
import { z } from "zod";

/** Options of the zkp service; plain data with a reason for each default. */
export interface ZkpOptions {
  /** Prover worker threads. Proving is CPU-bound and single-threaded per proof: one per spare core. */
  workers: number;
  /** Jobs waiting for a worker before new ones are refused with 429 (bounds memory and latency). */
  maxQueue: number;
  /** Largest trace (rows) accepted; 2^18 rows of the 12-column hash AIR take ~20 s and ~1 GB. */
  maxTraceRows: number;
  /** Requests up to this many rows are answered synchronously when they ask to wait; larger get a job id. */
  syncMaxRows: number;
  /** Finished jobs kept for GET /proofs/jobs/:id before the oldest are dropped. */
  keepFinishedJobs: number;
}

export const defaultZkpOptions: ZkpOptions = {
  workers: Math.max(1, Math.min(4, availableParallelism() - 1)),
  maxQueue: 16,
  maxTraceRows: 2 ** 18,
  syncMaxRows: 2 ** 14,
  keepFinishedJobs: 256,
};

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ZkpEnv = z.object({
  P2PNODE_ZKP_WORKERS: int(1, 64).optional(),
  P2PNODE_ZKP_MAX_QUEUE: int(0, 10_000).optional(),
  P2PNODE_ZKP_MAX_TRACE_ROWS: int(8, 2 ** 22).optional(),
  P2PNODE_ZKP_SYNC_MAX_ROWS: int(8, 2 ** 22).optional(),
});

export function zkpOptionsFromEnv(env: NodeJS.ProcessEnv): ZkpOptions {
  const e = parseEnv(ZkpEnv, env);
  return {
    ...defaultZkpOptions,
    ...(e.P2PNODE_ZKP_WORKERS !== undefined && { workers: e.P2PNODE_ZKP_WORKERS }),
    ...(e.P2PNODE_ZKP_MAX_QUEUE !== undefined && { maxQueue: e.P2PNODE_ZKP_MAX_QUEUE }),
    ...(e.P2PNODE_ZKP_MAX_TRACE_ROWS !== undefined && { maxTraceRows: e.P2PNODE_ZKP_MAX_TRACE_ROWS }),
    ...(e.P2PNODE_ZKP_SYNC_MAX_ROWS !== undefined && { syncMaxRows: e.P2PNODE_ZKP_SYNC_MAX_ROWS }),
  };
}
