import { BUS_MAX_PAYLOAD_BYTES, type CborValue, decodeCanonical, encodeCanonical } from "@p2pnode/codec";
import { CodedError, type PayloadEncoding } from "@p2pnode/types";

const enc = new TextEncoder();
const dec = new TextDecoder();
const MAX_PAYLOAD_LOG = 200;

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
      return decodeCanonical(data, subject, BUS_MAX_PAYLOAD_BYTES);
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

/** The payload fits the server's max_payload, or a PAYLOAD_TOO_LARGE before anything is sent. */
export function assertFits(body: Uint8Array, maxPayload: number, subject: string): void {
  if (body.length > maxPayload)
    throw new CodedError("PAYLOAD_TOO_LARGE", `${subject}: ${body.length} bytes exceeds the bus limit`, {
      bytes: body.length,
      limit: maxPayload,
    });
}

/** zod leaves absent optionals as `undefined` keys sometimes; CBOR has no undefined. */
function withoutUndefined(v: unknown): unknown {
  if (v instanceof Uint8Array || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(withoutUndefined);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = withoutUndefined(x);
  return out;
}
