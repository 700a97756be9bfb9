import { toHex } from "./bytes.js";
import { WireError } from "./errors.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type Signer, type Verifier } from "./keys.js";
import { nodeIdOfKey } from "./node-id.js";

/*
 * Datagram layout (v1), all integers big-endian:
 *
 *   0  magic "P2DH"     4 | 4 version = 1        1 | 5 type              1 | 6 request id  8
 *  14  sender key      32 | 46 sender record seq 8 | 54 body length u16  2 | 56 body        n
 *  56+n signature 64: Ed25519 by the sender key over DOMAIN.datagram ‖ network id ‖ bytes [0, 56+n)
 *
 * The sender's NodeId is SHA-256 of the sender key, so the id is bound to the key that signed.
 * A datagram is at most 1,280 bytes (IPv6 minimum MTU: never fragmented), so a body is ≤ 1,160.
 */

export const MAGIC = Uint8Array.of(0x50, 0x32, 0x44, 0x48);
export const WIRE_VERSION = 1;
export const HEADER_BYTES = 56;
export const MAX_DATAGRAM_BYTES = 1280;
export const MAX_BODY_BYTES = MAX_DATAGRAM_BYTES - HEADER_BYTES - SIGNATURE_BYTES;
export const REQUEST_ID_BYTES = 8;

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

export const REQUEST_TYPES: ReadonlySet<MsgType> = new Set([
  MsgType.Ping,
  MsgType.FindNode,
  MsgType.FindValue,
  MsgType.Store,
]);

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

export interface Datagram {
  type: MsgType;
  requestId: Uint8Array;
  requestIdHex: string;
  senderKey: Uint8Array;
  senderId: Uint8Array;
  senderIdHex: string;
  /** The sender's current node-record sequence number: a higher one means "ask me for my record". */
  senderSeq: number;
  body: Uint8Array;
  /** Size on the wire, for amplification limits. */
  size: number;
}

export function encodeDatagram(
  type: MsgType,
  requestId: Uint8Array,
  senderSeq: number,
  body: Uint8Array,
  signer: Signer,
): Uint8Array {
  if (body.length > MAX_BODY_BYTES) {
    throw new WireError("oversize", `body of ${body.length} bytes exceeds ${MAX_BODY_BYTES}`);
  }
  const out = new Uint8Array(HEADER_BYTES + body.length + SIGNATURE_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = WIRE_VERSION;
  out[5] = type;
  out.set(requestId, 6);
  out.set(signer.publicKey, 14);
  view.setBigUint64(46, BigInt(senderSeq));
  view.setUint16(54, body.length);
  out.set(body, HEADER_BYTES);
  const signedLen = HEADER_BYTES + body.length;
  out.set(signer.sign("datagram", out.subarray(0, signedLen)), signedLen);
  return out;
}

/** Checks size, framing and signature, cheapest first; throws a WireError naming the drop reason. */
export function decodeDatagram(bytes: Uint8Array, verifier: Verifier): Datagram {
  if (bytes.length > MAX_DATAGRAM_BYTES) throw new WireError("oversize", `${bytes.length} bytes`);
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES)
    throw new WireError("truncated", `${bytes.length} bytes`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new WireError("bad_magic", "not a p2pnode DHT datagram");
  }
  if (bytes[4] !== WIRE_VERSION) throw new WireError("bad_version", `version ${bytes[4]}`);
  const type = bytes[5]! as MsgType;
  if (!(type in MSG_NAMES)) throw new WireError("unknown_type", `type ${type}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyLen = view.getUint16(54);
  const expected = HEADER_BYTES + bodyLen + SIGNATURE_BYTES;
  if (bytes.length < expected) throw new WireError("truncated", `${bytes.length} of ${expected} bytes`);
  if (bytes.length > expected)
    throw new WireError("malformed_body", `${bytes.length - expected} trailing bytes`);
  const seq = view.getBigUint64(46);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError("malformed_body", "record seq exceeds 2^53");
  const senderKey = bytes.subarray(14, 14 + PUBLIC_KEY_BYTES);
  const signedLen = HEADER_BYTES + bodyLen;
  if (!verifier.verify("datagram", senderKey, bytes.subarray(0, signedLen), bytes.subarray(signedLen))) {
    throw new WireError("bad_signature", "datagram signature does not verify");
  }
  const requestId = bytes.slice(6, 6 + REQUEST_ID_BYTES);
  const senderId = nodeIdOfKey(senderKey);
  return {
    type,
    requestId,
    requestIdHex: toHex(requestId),
    senderKey: senderKey.slice(),
    senderId,
    senderIdHex: toHex(senderId),
    senderSeq: Number(seq),
    body: bytes.slice(HEADER_BYTES, signedLen),
    size: bytes.length,
  };
}
