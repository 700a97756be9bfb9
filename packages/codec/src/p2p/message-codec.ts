import { assertBytes } from "../bytes.js";
import { decodeCanonical, encodeCanonical } from "../cbor.js";
import { CodecError } from "../errors.js";
import { readMap } from "../fields.js";
import { MAX_P2P_MESSAGE_BYTES } from "./limits.js";
import { SPECS } from "./specs.js";
import { P2P_MESSAGE_CODES, type P2pMessage, type P2pMessageType } from "./types.js";

/*
 * P2P message layout: type code (1 byte, types.ts) ‖ canonical CBOR map of the body (specs.ts).
 * The code comes first so a receiver knows the type's byte limit before it parses anything.
 */

const TYPE_OF_CODE = new Map<number, P2pMessageType>(
  Object.entries(P2P_MESSAGE_CODES).map(([t, c]) => [c, t as P2pMessageType]),
);

export function encodeP2pMessage(msg: P2pMessage): Uint8Array {
  const spec = SPECS[msg?.type as P2pMessageType] as (typeof SPECS)[P2pMessageType] | undefined;
  if (spec === undefined)
    throw new CodecError("ENCODE_INVALID", `unknown P2P message type ${String(msg?.type)}`);
  const body = encodeCanonical(
    (spec.encode as (m: P2pMessage) => Parameters<typeof encodeCanonical>[0])(msg),
  );
  if (body.length > spec.maxBytes) {
    throw new CodecError("ENCODE_INVALID", `${msg.type}: ${body.length} bytes exceeds ${spec.maxBytes}`);
  }
  const out = new Uint8Array(1 + body.length);
  out[0] = P2P_MESSAGE_CODES[msg.type];
  out.set(body, 1);
  return out;
}

/** The type of an encoded message from its first byte, or undefined for an unknown code. */
export function peekP2pMessageType(bytes: Uint8Array): P2pMessageType | undefined {
  return bytes.length === 0 ? undefined : TYPE_OF_CODE.get(bytes[0]!);
}

/**
 * Decodes one message. Every failure is a CodecError: DECODE_UNSUPPORTED for an unknown type,
 * DECODE_OVERSIZE when the body exceeds its type's limit (checked before parsing), and the
 * canonical-CBOR and schema codes otherwise.
 */
export function decodeP2pMessage(bytes: Uint8Array): P2pMessage {
  assertBytes(bytes, "P2P message");
  if (bytes.length === 0) throw new CodecError("DECODE_TRUNCATED", "P2P message: empty");
  if (bytes.length > MAX_P2P_MESSAGE_BYTES) {
    throw new CodecError(
      "DECODE_OVERSIZE",
      `P2P message: ${bytes.length} bytes exceeds ${MAX_P2P_MESSAGE_BYTES}`,
    );
  }
  const type = TYPE_OF_CODE.get(bytes[0]!);
  if (type === undefined) {
    throw new CodecError("DECODE_UNSUPPORTED", `P2P message: unknown type code 0x${bytes[0]!.toString(16)}`);
  }
  const spec = SPECS[type] as (typeof SPECS)[P2pMessageType];
  const what = `p2p ${type}`;
  const value = decodeCanonical(bytes.subarray(1), what, spec.maxBytes);
  const map = readMap(value, spec.keys, what);
  return spec.decode(map, what) as P2pMessage;
}
