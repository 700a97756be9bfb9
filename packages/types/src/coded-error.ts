/*
 * The coded error and the shared code set, without zod: crypto's verify threads import this and
 * nothing else of types, so each thread starts without building every schema of the package
 * (that import was ~180 of a thread's ~300 ms of CPU). errors.ts builds the zod schemas on it.
 */

/** Error codes every REST API and NATS endpoint may answer with (DESIGN.md §6). */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "VALIDATION_FAILED",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "NOT_READY",
  "UPSTREAM_UNAVAILABLE",
  "TIMEOUT",
  "INTERNAL",
] as const;
export type SharedErrorCode = (typeof ERROR_CODES)[number];

/** The one error shape: `{ "error": { "code", "message", "details" } }` (errors.ts: its schema). */
export interface ErrorBodyShape {
  error: { code: string; message: string; details?: unknown };
}

/** HTTP status that goes with each shared code; domain codes map to 400 unless they say otherwise. */
export const HTTP_STATUS_OF: Record<SharedErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  NOT_READY: 503,
  UPSTREAM_UNAVAILABLE: 503,
  TIMEOUT: 504,
  INTERNAL: 500,
};

/**
 * A code passed on unchanged from elsewhere (another service's NATS answer, a worker thread's
 * reply, a stored job's error): it belongs to its source's closed set, which this call site does
 * not know. `CodedError<RelayedCode>` is the one way to build an error without naming a set; use
 * it only to pass such a code on, never to mint one.
 */
export type RelayedCode = string;

/**
 * An error with a code from a closed set, carried unchanged across REST and NATS.
 * `status` is the HTTP status the REST edge answers with.
 *
 * The set is the type parameter: a subclass names its own (`CodecError extends
 * CodedError<CodecErrorCode>`), and a bare `new CodedError(code, …)` takes only the shared
 * ErrorCode set: the code is not inferred from the argument, so an undeclared string is a type
 * error instead of a new code on the wire.
 */
export class CodedError<C extends string = SharedErrorCode> extends Error {
  readonly code: C;

  constructor(
    code: NoInfer<C>,
    message: string,
    readonly details?: unknown,
    readonly status: number = (HTTP_STATUS_OF as Record<string, number>)[code] ?? 400,
  ) {
    super(message);
    this.code = code;
    this.name = "CodedError";
  }

  toBody(): ErrorBodyShape {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
