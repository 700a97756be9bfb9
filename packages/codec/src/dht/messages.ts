import { ByteReader, ByteWriter } from "../binary.js";
import { CodecError } from "../errors.js";
import { type Endpoint, endpointWireBytes, readEndpoint, writeEndpoint } from "./endpoint.js";
import { ID_BYTES, MAX_BODY_BYTES, MAX_NODES_PARTS, PUBLIC_KEY_BYTES } from "./limits.js";

/*
 * Bodies of the eight DHT message types (PROTOCOL.md has the table). Every decoder reads
 * exactly the bytes it expects and refuses trailing ones, except where a body ends in zero
 * padding (FIND_NODE, FIND_VALUE) or in data (PONG's record, VALUE, STORE).
 */

/** A contact as NODES carries it: key and the address the responder verified it at. */
export interface WireContact {
  publicKey: Uint8Array;
  endpoint: Endpoint;
}

export enum ValueKind {
  Content = 0,
  Mutable = 1,
}

export enum StoreStatus {
  Stored = 0,
  AlreadyHave = 1,
  Refused = 2,
  Invalid = 3,
  FetchFailed = 4,
}

export interface PongBody {
  observed: Endpoint;
  /** The responder's signed node record (node-record.ts). */
  record: Uint8Array;
}
export interface NodesBody {
  part: number;
  parts: number;
  contacts: WireContact[];
}
export interface FindValueBody {
  key: Uint8Array;
  offset: number;
  maxLen: number;
}
export interface ValueBody {
  kind: ValueKind;
  total: number;
  /** Exclusive end of the range this reply covers (it may span several VALUE datagrams). */
  replyEnd: number;
  offset: number;
  data: Uint8Array;
}
export interface StoreBody {
  key: Uint8Array;
  kind: ValueKind;
  ttlSeconds: number;
  total: number;
  /** The whole value when it fits; empty when the receiver should pull it with FIND_VALUE. */
  data: Uint8Array;
}

const schema = (what: string, message: string) => new CodecError("DECODE_SCHEMA", `${what}: ${message}`);

function readKind(r: ByteReader, what: string): ValueKind {
  const kind = r.u8();
  if (kind !== ValueKind.Content && kind !== ValueKind.Mutable) throw schema(what, `value kind ${kind}`);
  return kind;
}

export function encodePong(b: PongBody): Uint8Array {
  const w = new ByteWriter("pong");
  writeEndpoint(w, b.observed);
  return w.bytes(b.record).finish();
}
export function decodePong(body: Uint8Array): PongBody {
  const r = new ByteReader(body, "pong");
  return { observed: readEndpoint(r), record: r.rest().slice() };
}

const withPadding = (w: ByteWriter, pad: number): Uint8Array =>
  w.bytes(new Uint8Array(Math.max(0, pad))).finish();

function endPadding(r: ByteReader, what: string): void {
  for (const b of r.rest()) if (b !== 0) throw schema(what, "padding is not zero");
}

/** FIND_NODE: target 32 ‖ `pad` zero bytes. */
export const encodeFindNode = (target: Uint8Array, pad = 0): Uint8Array =>
  withPadding(new ByteWriter("find_node").bytes(target, ID_BYTES), pad);
export function decodeFindNode(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body, "find_node");
  const target = r.bytes(ID_BYTES).slice();
  endPadding(r, "find_node");
  return target;
}

export const contactWireBytes = (c: WireContact): number => PUBLIC_KEY_BYTES + endpointWireBytes(c.endpoint);
/** part u8 ‖ parts u8 ‖ count u8 */
export const NODES_HEADER_BYTES = 3;

/** Splits contacts into NODES bodies of at most `maxBody` bytes each (no datagram over 1,280). */
export function encodeNodes(contacts: WireContact[], maxBody = MAX_BODY_BYTES): Uint8Array[] {
  const groups: WireContact[][] = [[]];
  let size = NODES_HEADER_BYTES;
  for (const c of contacts) {
    const n = contactWireBytes(c);
    if (size + n > maxBody && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      size = NODES_HEADER_BYTES;
    }
    groups[groups.length - 1]!.push(c);
    size += n;
  }
  if (groups.length > MAX_NODES_PARTS) {
    throw new CodecError("ENCODE_INVALID", `nodes: ${groups.length} parts exceeds ${MAX_NODES_PARTS}`);
  }
  return groups.map((g, i) => {
    const w = new ByteWriter("nodes").u8(i).u8(groups.length).u8(g.length);
    for (const c of g) {
      w.bytes(c.publicKey, PUBLIC_KEY_BYTES);
      writeEndpoint(w, c.endpoint);
    }
    return w.finish();
  });
}
export function decodeNodes(body: Uint8Array): NodesBody {
  const r = new ByteReader(body, "nodes");
  const part = r.u8();
  const parts = r.u8();
  if (parts === 0 || part >= parts || parts > MAX_NODES_PARTS) throw schema("nodes", `part ${part}/${parts}`);
  const count = r.u8();
  const contacts: WireContact[] = [];
  for (let i = 0; i < count; i++)
    contacts.push({ publicKey: r.bytes(PUBLIC_KEY_BYTES).slice(), endpoint: readEndpoint(r) });
  r.end();
  return { part, parts, contacts };
}

/** FIND_VALUE: key 32 ‖ offset u32 ‖ max length u32 ‖ `pad` zero bytes. */
export const encodeFindValue = (b: FindValueBody, pad = 0): Uint8Array =>
  withPadding(new ByteWriter("find_value").bytes(b.key, ID_BYTES).u32(b.offset).u32(b.maxLen), pad);
export function decodeFindValue(body: Uint8Array): FindValueBody {
  const r = new ByteReader(body, "find_value");
  const out = { key: r.bytes(ID_BYTES).slice(), offset: r.u32(), maxLen: r.u32() };
  endPadding(r, "find_value");
  return out;
}

/** kind u8 ‖ total u32 ‖ reply end u32 ‖ offset u32 */
export const VALUE_HEADER_BYTES = 13;
export const encodeValue = (b: ValueBody): Uint8Array =>
  new ByteWriter("value").u8(b.kind).u32(b.total).u32(b.replyEnd).u32(b.offset).bytes(b.data).finish();
export function decodeValue(body: Uint8Array): ValueBody {
  const r = new ByteReader(body, "value");
  const kind = readKind(r, "value");
  const total = r.u32();
  const replyEnd = r.u32();
  const offset = r.u32();
  const data = r.rest().slice();
  if (offset + data.length > replyEnd || replyEnd > total) {
    throw schema("value", `range ${offset}+${data.length} outside ${replyEnd}/${total}`);
  }
  return { kind, total, replyEnd, offset, data };
}

/** key 32 ‖ kind u8 ‖ TTL seconds u32 ‖ total u32 */
export const STORE_HEADER_BYTES = ID_BYTES + 9;
export const encodeStore = (b: StoreBody): Uint8Array =>
  new ByteWriter("store")
    .bytes(b.key, ID_BYTES)
    .u8(b.kind)
    .u32(b.ttlSeconds)
    .u32(b.total)
    .bytes(b.data)
    .finish();
export function decodeStore(body: Uint8Array): StoreBody {
  const r = new ByteReader(body, "store");
  const key = r.bytes(ID_BYTES).slice();
  const kind = readKind(r, "store");
  const ttlSeconds = r.u32();
  const total = r.u32();
  const data = r.rest().slice();
  if (data.length !== 0 && data.length !== total) throw schema("store", "partial inline value");
  return { key, kind, ttlSeconds, total, data };
}

export const encodeStoreAck = (s: StoreStatus): Uint8Array => new ByteWriter("store_ack").u8(s).finish();
export function decodeStoreAck(body: Uint8Array): StoreStatus {
  const r = new ByteReader(body, "store_ack");
  const s = r.u8();
  r.end();
  if (s > StoreStatus.FetchFailed) throw schema("store_ack", `status ${s}`);
  return s;
}
