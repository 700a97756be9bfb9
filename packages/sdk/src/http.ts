import { CodedError, ErrorBody, type ErrorCode, type RelayedCode } from "@p2pnode/types";
import type { z } from "zod";

/** How long a call waits for its answer unless `RequestOptions.timeoutMs` says otherwise. */
const DEFAULT_TIMEOUT_MS = 10_000;

export interface RequestOptions {
  /** Bearer token for admin routes (P2PNODE_API_TOKEN). */
  token?: string | undefined;
  timeoutMs?: number;
  /** Request headers beyond those the call sets (e.g. POST /tasks's Idempotency-Key). */
  headers?: Record<string, string> | undefined;
}

/** The sdk's own codes, beyond the shared set: a reply it cannot read. */
export const SDK_ERROR_CODES = [
  /** A reply that is not JSON, fails its schema, or an error reply without the error shape (502). */
  "BAD_RESPONSE",
] as const;
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

/**
 * A failed call: the server's typed error, or UPSTREAM_UNAVAILABLE when nothing answered, or
 * BAD_RESPONSE. Its code stays a `string`: this is the client side of an open wire set, the codes
 * of every service it talks to (RejectReason, ComputeErrorCode, DhtErrorCode, ...) passed on as
 * the server sent them. The sdk's own errors go through `clientError`, which takes only its set.
 */
export class ApiError extends CodedError<RelayedCode> {
  override name = "ApiError";
}

/** An ApiError the sdk raises itself, with a code of the shared set or its own. */
export function clientError(
  code: ErrorCode | SdkErrorCode,
  message: string,
  details: unknown,
  status: number,
): ApiError {
  return new ApiError(code, message, details, status);
}

/**
 * UPSTREAM_UNAVAILABLE for a call that got no answer, saying why: fetch's own message is only
 * "fetch failed", the reason (connection refused, unknown host, reset) is in its `cause`.
 */
export function unreachable(method: string, url: string, err: unknown, timeoutMs?: number): ApiError {
  const e = err as Error & { cause?: { message?: string } };
  const why =
    e.name === "TimeoutError"
      ? `no answer within ${timeoutMs === undefined ? "the time allowed" : `${timeoutMs / 1000} s`}`
      : `no answer (${e.cause?.message ?? e.message})`;
  return clientError("UPSTREAM_UNAVAILABLE", `${method} ${url}: ${why}`, undefined, 503);
}

/**
 * One HTTP call whose reply is parsed with `schema`. A 2xx that fails its schema, a non-JSON body
 * or an error reply all become an ApiError with the server's code, so callers handle one type.
 * `body` goes as JSON, or as it is (application/octet-stream) when it is bytes.
 */
export async function callJson<S extends z.ZodType>(
  method: string,
  url: string,
  schema: S,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<z.infer<S>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { ...opts.headers, accept: "application/json" };
  const raw = body instanceof Uint8Array;
  if (body !== undefined) headers["content-type"] = raw ? "application/octet-stream" : "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw unreachable(method, url, err, timeoutMs);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    throw clientError(
      "BAD_RESPONSE",
      `${method} ${url}: reply is not JSON (status ${res.status})`,
      undefined,
      502,
    );
  }
  if (!res.ok) {
    const e = ErrorBody.safeParse(json);
    if (e.success)
      throw new ApiError(e.data.error.code, e.data.error.message, e.data.error.details, res.status);
    throw clientError("BAD_RESPONSE", `${method} ${url}: status ${res.status}`, json, res.status);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw clientError("BAD_RESPONSE", `${method} ${url}: reply fails its schema`, parsed.error.issues, 502);
  }
  return parsed.data;
}
