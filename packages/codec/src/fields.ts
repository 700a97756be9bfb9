import type { CborValue } from "./cbor.js";
import { CodecError } from "./errors.js";
import { U64_MAX } from "./ints.js";

/*
 * Readers for fields of decoded CBOR maps. Each names the field in its error so a peer that
 * sent a bad transaction learns which field, and each accepts exactly one CBOR type.
 */

export type CborMap = { [key: string]: CborValue };

/** `value` must be a map with exactly `keys` (no missing, no extra). */
export function readMap(value: CborValue, keys: readonly string[], what: string): CborMap {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array || Array.isArray(value)) {
    throw new CodecError("DECODE_SCHEMA", `${what}: expected a map`);
  }
  const present = Object.keys(value);
  const missing = keys.filter((k) => !(k in value));
  const extra = present.filter((k) => !keys.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new CodecError("DECODE_SCHEMA", `${what}: wrong fields`, { missing, extra });
  }
  return value;
}

export function readBytes(map: CborMap, key: string, what: string, length: number): Uint8Array;
export function readBytes(
  map: CborMap,
  key: string,
  what: string,
  length: undefined,
  max: number,
): Uint8Array;
export function readBytes(
  map: CborMap,
  key: string,
  what: string,
  length?: number,
  max?: number,
): Uint8Array {
  const v = map[key];
  if (!(v instanceof Uint8Array))
    throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected a byte string`);
  if (length !== undefined && v.length !== length) {
    throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected ${length} bytes, got ${v.length}`);
  }
  if (max !== undefined && v.length > max) {
    throw new CodecError("DECODE_OVERSIZE", `${what}.${key}: ${v.length} bytes exceeds ${max}`);
  }
  // A copy, so the decoded value does not pin or alias the (possibly reused) input buffer.
  // new Uint8Array(view) copies; .slice() would not when the input is a Node Buffer.
  return new Uint8Array(v);
}

export function readU64(map: CborMap, key: string, what: string): bigint {
  const v = map[key];
  const n = typeof v === "number" && Number.isInteger(v) ? BigInt(v) : v;
  if (typeof n !== "bigint" || n < 0n || n > U64_MAX) {
    throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected an unsigned 64-bit integer`);
  }
  return n;
}

export function readSafeUint(map: CborMap, key: string, what: string): number {
  const v = map[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected an unsigned integer below 2^53`);
  }
  return v;
}

export function readText(map: CborMap, key: string, what: string): string {
  const v = map[key];
  if (typeof v !== "string") throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected a text string`);
  return v;
}
