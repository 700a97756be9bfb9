import { BUS_MAX_PAYLOAD_BYTES, type CborValue, decodeCanonical, encodeCanonical } from "@p2pnode/codec";
import { CodedError, type PayloadEncoding } from "@p2pnode/types";

const enc = new TextEncoder();
const dec = new TextDecoder();
/** Bytes of an unreadable payload quoted in the error. */
const MAX_PAYLOAD_LOG = 200;
/**
 * What the CBOR decoder may allocate for one payload: the server's max_payload (the size table's
 * BUS_MAX_PAYLOAD_BYTES, checked on connect) bounds what arrives; this bounds it again.
 */
const MAX_CBOR_PAYLOAD_BYTES = BUS_MAX_PAYLOAD_BYTES;

/** A payload's bytes in its subject's encoding: JSON text, or canonical CBOR carrying raw bytes. */
export function encodePayload(encoding: PayloadEncoding | undefined, value: unknown): Uint8Array {
  if (encoding === "cbor") return encodeCanonical(withoutUndefined(value) as CborValue);
  return enc.encode(JSON.stringify(value));
}

/** The value in a payload, before its schema check; an empty payload is `{}`. */
export function decodePayload(
  encoding: PayloadEncoding | undefined,
  data: Uint8Array,
  subject: string,
): unknown {
  if (data.length === 0) return {};
  if (encoding === "cbor") {
    try {
      return decodeCanonical(data, subject, MAX_CBOR_PAYLOAD_BYTES);
    } catch (err) {
      throw new CodedError("BAD_REQUEST", `${subject}: payload is not canonical CBOR`, {
        reason: (err as Error).message,
      });
    }
  }
  const json = safeJson(data);
  if (json === undefined) {
    throw new CodedError("BAD_REQUEST", `${subject}: payload is not JSON`, {
      head: dec.decode(data.subarray(0, MAX_PAYLOAD_LOG)),
    });
  }
  return json;
}

/** Error replies are JSON on every subject (the error shape of DESIGN.md §6). */
export function encodeError(body: unknown): Uint8Array {
  return enc.encode(JSON.stringify(body));
}

export function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(dec.decode(data));
  } catch {
    return undefined;
  }
}

/**
 * An optional field zod leaves as an `undefined` key: CBOR has no undefined, so it is left out.
 * A Buffer (SQLite hands them back) is passed as a plain Uint8Array view: bytes either way.
 */
function withoutUndefined(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(withoutUndefined);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = withoutUndefined(x);
  return out;
}
