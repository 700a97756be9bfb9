import { decodeFirst, encode, rfc8949EncodeOptions } from "cborg";
import { assertBytes, equalBytes } from "./bytes.js";
import { CodecError, type CodecErrorCode } from "./errors.js";
import { MAX_MESSAGE_BYTES } from "./limits.js";

/*
 * Deterministic CBOR (RFC 8949 §4.2.1 core deterministic encoding): shortest-form integers
 * and lengths, definite lengths only, map keys sorted by their encoded bytes, no floats or
 * tags in our schemas. Decoding is strict in two layers: cborg's strict options reject
 * long-form ints, indefinite lengths, duplicate keys, non-string keys, undefined, NaN and tags;
 * then the value is re-encoded and must reproduce the input byte for byte, which catches
 * everything else (unsorted keys, floats standing for integers, 2^53-looking bigints).
 */

const DECODE_OPTIONS = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: true,
  rejectDuplicateMapKeys: true,
  useMaps: false,
} as const;

/** Values our CBOR carries: integers, byte and text strings, arrays, string-keyed maps. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | { [key: string]: CborValue };

export function encodeCanonical(value: CborValue): Uint8Array {
  try {
    // cborg hands back a Buffer under Node; callers get a plain Uint8Array view of it.
    const out = encode(value, rfc8949EncodeOptions);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new CodecError("ENCODE_INVALID", `cannot encode value as CBOR: ${(err as Error).message}`);
  }
}

/**
 * Decodes exactly one canonical CBOR value from `bytes`. The size check happens before any
 * parsing, so `maxBytes` bounds what a hostile input can make us allocate.
 */
export function decodeCanonical(bytes: Uint8Array, what: string, maxBytes = MAX_MESSAGE_BYTES): CborValue {
  const value = decodeStrict(bytes, what, maxBytes);
  requireCanonical(encodeCanonical(value), bytes, what);
  return value;
}

/**
 * The first layer alone: size limit, cborg's strict parse, no trailing bytes. Fixed-schema
 * decoders (transactions) use it and do the canonical check with their own fast encoder.
 */
export function decodeStrict(bytes: Uint8Array, what: string, maxBytes: number): CborValue {
  assertBytes(bytes, `${what} bytes`);
  if (bytes.length > maxBytes) {
    throw new CodecError(
      "DECODE_OVERSIZE",
      `${what}: ${bytes.length} bytes exceeds the limit of ${maxBytes}`,
    );
  }
  if (bytes.length === 0) throw new CodecError("DECODE_TRUNCATED", `${what}: empty input`);
  let value: CborValue;
  let rest: Uint8Array;
  try {
    [value, rest] = decodeFirst(bytes, DECODE_OPTIONS) as [CborValue, Uint8Array];
  } catch (err) {
    const message = (err as Error).message;
    throw new CodecError(codeOfCborgError(message), `${what}: ${message}`);
  }
  if (rest.length > 0) {
    throw new CodecError("DECODE_TRAILING", `${what}: ${rest.length} bytes after the end of the value`);
  }
  return value;
}

/** The second layer: re-encoding the decoded value must give back the input exactly. */
export function requireCanonical(reencoded: Uint8Array, input: Uint8Array, what: string): void {
  if (!equalBytes(reencoded, input)) {
    throw new CodecError("DECODE_NONCANONICAL", `${what}: not in canonical (deterministic) CBOR form`);
  }
}

/** cborg reports every failure as a plain Error; its messages are stable enough to classify. */
function codeOfCborgError(message: string): CodecErrorCode {
  if (/not enough data|unexpected end|not enough entries|premature/i.test(message)) return "DECODE_TRUNCATED";
  if (/more bytes than necessary|indefinite length/i.test(message)) return "DECODE_NONCANONICAL";
  if (/64-bit integer (array|map|string|bytes) lengths/i.test(message)) return "DECODE_OVERSIZE";
  return "DECODE_MALFORMED";
}
