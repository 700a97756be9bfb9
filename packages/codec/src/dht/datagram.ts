import { assertBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import { assertSafeUint } from "../ints.js";
import {
  HEADER_BYTES,
  MAX_BODY_BYTES,
  MAX_DATAGRAM_BYTES,
  PUBLIC_KEY_BYTES,
  REQUEST_ID_BYTES,
  SIGNATURE_BYTES,
} from "./limits.js";

/*
 * Datagram layout, all integers big-endian (PROTOCOL.md, "DHT datagrams"):
 *
 *   0  magic "P2DH"     4 | 4 version = 2        1 | 5 type              1 | 6 request id  8
 *  14  sender key      32 | 46 sender record seq 8 | 54 body length u16  2 | 56 body        n
 *  56+n signature 64 by the sender key over bytes [0, 56+n) in the DHT message signing domain
 *
 * Version 2 signs under the tagged, length-prefixed signing domains of packages/crypto;
 * version 1 (a tag ‖ 0 ‖ SHA-256(chain id) prefix) is refused.
 */

export const MAGIC = Uint8Array.of(0x50, 0x32, 0x44, 0x48);
export const WIRE_VERSION = 2;

export enum MsgType {
  Ping = 1,
  Pong = 2,
  FindNode = 3,
  Nodes = 4,
  FindValue = 5,
  Value = 6,
  Store = 7,
  StoreAck = 8,
}

export const MSG_NAMES: Record<MsgType, string> = {
  [MsgType.Ping]: "ping",
  [MsgType.Pong]: "pong",
  [MsgType.FindNode]: "find_node",
  [MsgType.Nodes]: "nodes",
  [MsgType.FindValue]: "find_value",
  [MsgType.Value]: "value",
  [MsgType.Store]: "store",
  [MsgType.StoreAck]: "store_ack",
};

/** Types that open an exchange; the others answer one and echo its request id. */
export const REQUEST_TYPES: ReadonlySet<MsgType> = new Set([
  MsgType.Ping,
  MsgType.FindNode,
  MsgType.FindValue,
  MsgType.Store,
]);

/** Which header field a DECODE_UNSUPPORTED or DECODE_MALFORMED datagram failed on (error details). */
export type DatagramField = "magic" | "version" | "type";

export interface DatagramFields {
  type: MsgType;
  requestId: Uint8Array;
  senderKey: Uint8Array;
  /** The sender's current node-record sequence number: a higher one means "ask me for my record". */
  senderSeq: number;
  body: Uint8Array;
}

export interface DecodedDatagram extends DatagramFields {
  /** The bytes the signature covers, [0, 56+n): a view of the input, for verification. */
  signed: Uint8Array;
  /** A view of the input's last 64 bytes. */
  signature: Uint8Array;
  /** Size on the wire, for amplification limits. */
  size: number;
}

/** Signs the bytes handed to it and returns the 64-byte signature (crypto's domain signing). */
export type SignFn = (signed: Uint8Array) => Uint8Array;

/** `unsigned` ‖ the 64 bytes `sign` returns for it: how every signed DHT object ends. */
export function appendSignature(unsigned: Uint8Array, sign: SignFn, what: string): Uint8Array {
  const signature = sign(unsigned);
  assertBytes(signature, `${what} signature`, SIGNATURE_BYTES);
  const out = new Uint8Array(unsigned.length + SIGNATURE_BYTES);
  out.set(unsigned);
  out.set(signature, unsigned.length);
  return out;
}

export function encodeDatagram(f: DatagramFields, sign: SignFn): Uint8Array {
  assertBytes(f.body, "datagram body");
  if (f.body.length > MAX_BODY_BYTES) {
    throw new CodecError(
      "ENCODE_INVALID",
      `datagram body of ${f.body.length} bytes exceeds ${MAX_BODY_BYTES}`,
    );
  }
  if (!(f.type in MSG_NAMES)) throw new CodecError("ENCODE_INVALID", `datagram type ${f.type} is unknown`);
  assertBytes(f.requestId, "datagram request id", REQUEST_ID_BYTES);
  assertBytes(f.senderKey, "datagram sender key", PUBLIC_KEY_BYTES);
  assertSafeUint(f.senderSeq, "datagram sender seq");
  const unsigned = new Uint8Array(HEADER_BYTES + f.body.length);
  const view = new DataView(unsigned.buffer);
  unsigned.set(MAGIC, 0);
  unsigned[4] = WIRE_VERSION;
  unsigned[5] = f.type;
  unsigned.set(f.requestId, 6);
  unsigned.set(f.senderKey, 14);
  view.setBigUint64(46, BigInt(f.senderSeq));
  view.setUint16(54, f.body.length);
  unsigned.set(f.body, HEADER_BYTES);
  return appendSignature(unsigned, sign, "datagram");
}

const unsupported = (field: DatagramField, message: string) =>
  new CodecError(field === "magic" ? "DECODE_MALFORMED" : "DECODE_UNSUPPORTED", message, { field });

/**
 * Checks size, magic, version, type and framing, cheapest first, and returns the fields with
 * the signed bytes; the caller verifies the signature (crypto) before trusting any field.
 */
export function decodeDatagram(bytes: Uint8Array): DecodedDatagram {
  assertBytes(bytes, "datagram");
  if (bytes.length > MAX_DATAGRAM_BYTES) {
    throw new CodecError("DECODE_OVERSIZE", `datagram: ${bytes.length} bytes exceeds ${MAX_DATAGRAM_BYTES}`);
  }
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES)
    throw new CodecError("DECODE_TRUNCATED", `datagram: ${bytes.length} bytes is shorter than a header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw unsupported("magic", "datagram: not a p2pnode DHT datagram");
  }
  if (bytes[4] !== WIRE_VERSION) throw unsupported("version", `datagram: version ${bytes[4]}`);
  const type = bytes[5]! as MsgType;
  if (!(type in MSG_NAMES)) throw unsupported("type", `datagram: type ${type}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyLen = view.getUint16(54);
  const expected = HEADER_BYTES + bodyLen + SIGNATURE_BYTES;
  if (bytes.length < expected)
    throw new CodecError("DECODE_TRUNCATED", `datagram: ${bytes.length} of ${expected} bytes`);
  if (bytes.length > expected)
    throw new CodecError("DECODE_TRAILING", `datagram: ${bytes.length - expected} bytes after the signature`);
  const seq = view.getBigUint64(46);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER))
    throw new CodecError("DECODE_SCHEMA", "datagram: record seq exceeds 2^53 - 1");
  const signedLen = HEADER_BYTES + bodyLen;
  return {
    type,
    requestId: bytes.slice(6, 6 + REQUEST_ID_BYTES),
    senderKey: bytes.slice(14, 14 + PUBLIC_KEY_BYTES),
    senderSeq: Number(seq),
    body: bytes.slice(HEADER_BYTES, signedLen),
    signed: bytes.subarray(0, signedLen),
    signature: bytes.subarray(signedLen),
    size: bytes.length,
  };
}
