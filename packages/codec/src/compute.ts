import type { FunctionLimits } from "@p2pnode/types";
import { type CborValue, decodeCanonical, encodeCanonical } from "./cbor.js";
import { CodecError } from "./errors.js";

/*
 * The compute service's hashed bytes (services/compute/README.md):
 * - a function: canonical CBOR {tag, source, limits}; SHA-256 of it is the function's hash and
 *   its DHT key, so a node that fetches it by hash verifies it by hashing;
 * - a job outcome: canonical CBOR {tag, ok: json} or {tag, error: code, message}; replicas
 *   compare SHA-256 of these bytes, so "the same result" means the same bytes;
 * - JSON values (inputs, results) in canonical JSON: object keys sorted by UTF-16 code units,
 *   no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (RFC 8785 for
 *   the values JSON can hold).
 */

export const FUNCTION_TAG = "p2pnode/compute-function/v1";
export const OUTCOME_TAG = "p2pnode/compute-outcome/v1";
/** Largest function encoding a decoder accepts: one DHT value. */
export const MAX_FUNCTION_ENCODING_BYTES = 64 * 1024;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Canonical JSON text of a JSON value; throws on values JSON cannot hold (NaN, undefined, ...). */
export function canonicalJson(value: unknown): string {
  return write(value, "value");
}

function write(v: unknown, path: string): string {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new CodecError("ENCODE_INVALID", `${path}: ${v} is not a JSON number`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${path}[${i}]`)).join(",")}]`;
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${path}.${k}`)}`).join(",")}}`;
  }
  throw new CodecError("ENCODE_INVALID", `${path}: ${typeof v} is not a JSON value`);
}

export interface FunctionDefinition {
  source: string;
  limits: FunctionLimits;
}

export function encodeFunction(fn: FunctionDefinition): Uint8Array {
  const { memoryBytes, budget, timeoutMs } = fn.limits;
  for (const [name, n] of Object.entries({ memoryBytes, budget, timeoutMs }))
    if (!Number.isSafeInteger(n) || n < 0)
      throw new CodecError("ENCODE_INVALID", `function.limits.${name}: a non-negative safe integer`);
  return encodeCanonical({
    tag: FUNCTION_TAG,
    source: fn.source,
    limits: { memoryBytes, budget, timeoutMs },
  });
}

export function decodeFunction(bytes: Uint8Array): FunctionDefinition {
  const v = decodeCanonical(bytes, "function", MAX_FUNCTION_ENCODING_BYTES);
  const o = record(v, "function", ["tag", "source", "limits"]);
  if (o.tag !== FUNCTION_TAG)
    throw new CodecError("DECODE_UNSUPPORTED", `function: unknown tag ${JSON.stringify(o.tag)}`);
  if (typeof o.source !== "string") throw new CodecError("DECODE_SCHEMA", "function.source: a text string");
  const l = record(o.limits, "function.limits", ["memoryBytes", "budget", "timeoutMs"]);
  const int = (x: CborValue | undefined, name: string): number => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0)
      throw new CodecError("DECODE_SCHEMA", `function.limits.${name}: a non-negative integer`);
    return x;
  };
  return {
    source: o.source,
    limits: {
      memoryBytes: int(l.memoryBytes, "memoryBytes"),
      budget: int(l.budget, "budget"),
      timeoutMs: int(l.timeoutMs, "timeoutMs"),
    },
  };
}

/** What a run produced, as replicas compare it: a value, or a deterministic error. */
export type JobOutcome = { ok: true; json: string } | { ok: false; code: string; message: string };

export function encodeJobOutcome(o: JobOutcome): Uint8Array {
  return encodeCanonical(
    o.ok ? { tag: OUTCOME_TAG, ok: o.json } : { tag: OUTCOME_TAG, error: o.code, message: o.message },
  );
}

function record(v: CborValue | undefined, what: string, keys: string[]): Record<string, CborValue> {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array)
    throw new CodecError("DECODE_SCHEMA", `${what}: a map`);
  const got = Object.keys(v).sort();
  if (got.length !== keys.length || !keys.every((k) => k in v))
    throw new CodecError("DECODE_SCHEMA", `${what}: keys ${got.join(",")}, expected ${keys.join(",")}`);
  return v;
}
