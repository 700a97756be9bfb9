import { CodedError } from "@p2pnode/types";

/**
 * Why a run, a job or a request failed. Sandbox outcomes in DETERMINISTIC_CODES are results:
 * every honest replica ends the same way, so they are hashed and voted on like values. The
 * others depend on the machine (time, crashes, load) and make the scheduler retry elsewhere.
 */
export type ComputeErrorCode =
  /** The source does not parse (at registration: 400). */
  | "SYNTAX_ERROR"
  /** The source parses but its completion value is not a function. */
  | "NOT_A_FUNCTION"
  /** The function threw (or its promise rejected, or never settled). */
  | "FUNCTION_ERROR"
  /** The instruction budget ran out. */
  | "BUDGET_EXCEEDED"
  /** The sandbox heap limit was reached. */
  | "MEMORY_LIMIT"
  /** Recursion deeper than the sandbox stack. */
  | "STACK_OVERFLOW"
  /** The value is not JSON (undefined, a function, a BigInt) . */
  | "RESULT_NOT_JSON"
  /** The value's canonical JSON exceeds COMPUTE_MAX_RESULT_BYTES. */
  | "RESULT_TOO_LARGE"
  /** The wall-clock deadline passed (inside the sandbox or by the host's backstop). */
  | "TIMEOUT"
  /** The sandbox thread failed in a way the interpreter did not report; the thread is replaced. */
  | "SANDBOX_CRASHED"
  /** The worker's queue is full: it refused the job (try later or elsewhere). */
  | "QUEUE_FULL"
  /** The worker is gone or stopping. */
  | "WORKER_UNAVAILABLE"
  /** No function with this hash here or in the DHT. */
  | "UNKNOWN_FUNCTION"
  /** More replicas asked for than distinct workers available. */
  | "INSUFFICIENT_WORKERS"
  /** A task asks for more than its function's limits allow. */
  | "LIMIT_EXCEEDS_FUNCTION"
  /** Every attempt a job was allowed failed without a quorum. */
  | "ATTEMPTS_EXHAUSTED"
  /** Another job of the task failed, so the task stopped. */
  | "TASK_FAILED"
  /** A fetched function does not hash to the hash it was fetched by. */
  | "HASH_MISMATCH"
  /** An Idempotency-Key sent again with a different request (422). */
  | "IDEMPOTENCY_KEY_REUSED";

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
  IDEMPOTENCY_KEY_REUSED: 422,
};

export class ComputeError extends CodedError<ComputeErrorCode> {
  constructor(code: ComputeErrorCode, message: string, details?: unknown, status?: number) {
    super(code, message, details, status ?? STATUS[code] ?? 400);
    this.name = "ComputeError";
  }
}
