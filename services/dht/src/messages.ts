import { ByteReader, ByteWriter } from "./bytes.js";
import { type Endpoint, endpointWireBytes, readEndpoint, writeEndpoint } from "./endpoint.js";
import { WireError } from "./errors.js";
import { PUBLIC_KEY_BYTES } from "./keys.js";
import { ID_BYTES } from "./node-id.js";
import { MAX_BODY_BYTES } from "./wire.js";

/*
 * Bodies of the eight message types (README.md has the table). Every decoder reads exactly the
 * bytes it expects and refuses trailing ones.
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

export const encodePong = (b: PongBody): Uint8Array => {
  const w = new ByteWriter();
  writeEndpoint(w, b.observed);
  return w.bytes(b.record).finish();
};
export function decodePong(body: Uint8Array): PongBody {
  const r = new ByteReader(body, "pong");
  return { observed: readEndpoint(r), record: r.rest() };
}

/**
 * FIND_NODE and FIND_VALUE may end in zero padding: a requester that has not yet proven its
 * address to the responder pads its request so that a full answer stays within 3× its size
 * (the anti-amplification rule, as QUIC pads its first packet).
 */
export const PADDED_REQUEST_BYTES = 400;

const withPadding = (w: ByteWriter, pad: number): Uint8Array =>
  w.bytes(new Uint8Array(Math.max(0, pad))).finish();

function endPadding(r: ByteReader): void {
  for (const b of r.rest()) if (b !== 0) throw new WireError("malformed_body", "request padding is not zero");
}

export const encodeFindNode = (target: Uint8Array, pad = 0): Uint8Array =>
  withPadding(new ByteWriter().bytes(target), pad);
export function decodeFindNode(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body, "find_node");
  const target = r.bytes(ID_BYTES).slice();
  endPadding(r);
  return target;
}

export const contactWireBytes = (c: WireContact): number => PUBLIC_KEY_BYTES + endpointWireBytes(c.endpoint);
const NODES_HEADER = 3;

/** Splits contacts into NODES bodies of at most `maxBody` bytes each (DESIGN.md §5: no datagram > 1,280). */
export function encodeNodes(contacts: WireContact[], maxBody = MAX_BODY_BYTES): Uint8Array[] {
  const groups: WireContact[][] = [[]];
  let size = NODES_HEADER;
  for (const c of contacts) {
    const n = contactWireBytes(c);
    if (size + n > maxBody && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      size = NODES_HEADER;
    }
    groups[groups.length - 1]!.push(c);
    size += n;
  }
  return groups.map((g, i) => {
    const w = new ByteWriter().u8(i).u8(groups.length).u8(g.length);
    for (const c of g) {
      w.bytes(c.publicKey);
      writeEndpoint(w, c.endpoint);
    }
    return w.finish();
  });
}
export function decodeNodes(body: Uint8Array): NodesBody {
  const r = new ByteReader(body, "nodes");
  const part = r.u8();
  const parts = r.u8();
  if (parts === 0 || part >= parts || parts > 8)
    throw new WireError("malformed_body", `nodes part ${part}/${parts}`);
  const count = r.u8();
  const contacts: WireContact[] = [];
  for (let i = 0; i < count; i++)
    contacts.push({ publicKey: r.bytes(PUBLIC_KEY_BYTES).slice(), endpoint: readEndpoint(r) });
  r.end();
  return { part, parts, contacts };
}

export const encodeFindValue = (b: FindValueBody, pad = 0): Uint8Array =>
  withPadding(new ByteWriter().bytes(b.key).u32(b.offset).u32(b.maxLen), pad);
export function decodeFindValue(body: Uint8Array): FindValueBody {
  const r = new ByteReader(body, "find_value");
  const out = { key: r.bytes(ID_BYTES).slice(), offset: r.u32(), maxLen: r.u32() };
  endPadding(r);
  return out;
}

export const VALUE_HEADER_BYTES = 13;
export const encodeValue = (b: ValueBody): Uint8Array =>
  new ByteWriter().u8(b.kind).u32(b.total).u32(b.replyEnd).u32(b.offset).bytes(b.data).finish();
export function decodeValue(body: Uint8Array): ValueBody {
  const r = new ByteReader(body, "value");
  const kind = r.u8();
  if (kind !== ValueKind.Content && kind !== ValueKind.Mutable)
    throw new WireError("malformed_body", `value kind ${kind}`);
  const total = r.u32();
  const replyEnd = r.u32();
  const offset = r.u32();
  const data = r.rest().slice();
  if (offset + data.length > replyEnd || replyEnd > total) {
    throw new WireError(
      "malformed_body",
      `value range ${offset}+${data.length} outside ${replyEnd}/${total}`,
    );
  }
  return { kind, total, replyEnd, offset, data };
}

export const STORE_HEADER_BYTES = ID_BYTES + 9;
export const encodeStore = (b: StoreBody): Uint8Array =>
  new ByteWriter().bytes(b.key).u8(b.kind).u32(b.ttlSeconds).u32(b.total).bytes(b.data).finish();
export function decodeStore(body: Uint8Array): StoreBody {
  const r = new ByteReader(body, "store");
  const key = r.bytes(ID_BYTES).slice();
  const kind = r.u8();
  if (kind !== ValueKind.Content && kind !== ValueKind.Mutable)
    throw new WireError("malformed_body", `value kind ${kind}`);
  const ttlSeconds = r.u32();
  const total = r.u32();
  const data = r.rest().slice();
  if (data.length !== 0 && data.length !== total)
    throw new WireError("malformed_body", "store: partial inline value");
  return { key, kind, ttlSeconds, total, data };
}

export const encodeStoreAck = (s: StoreStatus): Uint8Array => Uint8Array.of(s);
export function decodeStoreAck(body: Uint8Array): StoreStatus {
  const r = new ByteReader(body, "store_ack");
  const s = r.u8();
  r.end();
  if (s > StoreStatus.FetchFailed) throw new WireError("malformed_body", `store status ${s}`);
  return s;
}
