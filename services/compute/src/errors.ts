import { CodedError, type ComputeErrorCode } from "@p2pnode/types";

/**
 * Why a run, a job or a request failed: the closed set lives in packages/types
 * (COMPUTE_ERROR_CODES, the codes compute's NATS endpoints declare). Sandbox outcomes in
 * DETERMINISTIC_CODES are results: every honest replica ends the same way, so they are hashed
 * and voted on like values. The others depend on the machine (time, crashes, load) and make the
 * scheduler retry elsewhere.
 */
export type { ComputeErrorCode };

export const DETERMINISTIC_CODES: ReadonlySet<string> = new Set<ComputeErrorCode>([
  "NOT_A_FUNCTION",
  "FUNCTION_ERROR",
  "BUDGET_EXCEEDED",
  "MEMORY_LIMIT",
  "STACK_OVERFLOW",
  "RESULT_NOT_JSON",
  "RESULT_TOO_LARGE",
]);

const STATUS: Partial<Record<ComputeErrorCode, number>> = {
  UNKNOWN_FUNCTION: 404,
  QUEUE_FULL: 429,
  WORKER_UNAVAILABLE: 503,
  TIMEOUT: 504,
  SANDBOX_CRASHED: 500,
  HASH_MISMATCH: 502,
};

export class ComputeError extends CodedError<ComputeErrorCode> {
  constructor(code: ComputeErrorCode, message: string, details?: unknown, status?: number) {
    super(code, message, details, status ?? STATUS[code] ?? 400);
    this.name = "ComputeError";
  }
}
