import { z } from "zod";

/** Error codes every REST API and NATS endpoint may answer with (DESIGN.md §6). */
export const ErrorCode = z.enum([
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
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The one error shape: `{ "error": { "code", "message", "details" } }`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** HTTP status that goes with each shared code; domain codes map to 400 unless they say otherwise. */
export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
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
export class CodedError<C extends string = ErrorCode> extends Error {
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

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
