import { z } from "zod";
import { ERROR_CODES } from "./coded-error.js";

export { CodedError, ERROR_CODES, HTTP_STATUS_OF, type RelayedCode } from "./coded-error.js";

/** Error codes every REST API and NATS endpoint may answer with (DESIGN.md §6). */
export const ErrorCode = z.enum(ERROR_CODES);
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
