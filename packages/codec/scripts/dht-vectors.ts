import {
  type DatagramFields,
  decodeFindNode,
  decodeFindValue,
  decodeNodes,
  decodePong,
  decodeStore,
  decodeStoreAck,
  decodeValue,
  encodeDatagram,
  encodeFindNode,
  encodeFindValue,
  encodeManifest,
  encodeMutable,
  encodeNodeRecord,
  encodeNodes,
  encodePong,
  encodeStore,
  encodeStoreAck,
  encodeValue,
  HEADER_BYTES,
  type Manifest,
  MSG_NAMES,
  MsgType,
  type MutableFields,
  type NodeRecordFields,
  PADDED_REQUEST_BYTES,
  SIGNATURE_BYTES,
  StoreStatus,
  ValueKind,
} from "../src/dht/index.js";
import { toHex } from "../src/index.js";
import { jsonForm } from "./p2p-vectors.js";

/*
 * Inputs of test/vectors/dht.json: a datagram of every DHT message type, every body, node
 * records, a mutable record and a file manifest, with a stand-in signature (codec does not
 * sign; packages/crypto's protocol-signing.json has the same objects really signed), and
 * malformed inputs with the error each decoder must answer.
 */

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const counting = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
const text = (s: string) => new TextEncoder().encode(s);

/** Stand-in signature: 64 bytes of 0x5a. */
export const STAND_IN_SIGNATURE = filled(SIGNATURE_BYTES, 0x5a);
const standIn = () => STAND_IN_SIGNATURE;
const SENDER = counting(32, 0x20);

/** A body's in-memory value and its codec, per message type (FIND_NODE's padding is part of its value). */
export const BODY_CODECS: Record<
  string,
  { encode: (v: never) => Uint8Array; decode: (b: Uint8Array) => unknown }
> = {
  ping: { encode: () => new Uint8Array(0), decode: () => ({}) },
  pong: { encode: encodePong, decode: decodePong },
  find_node: {
    encode: (v: { target: Uint8Array; pad: number }) => encodeFindNode(v.target, v.pad),
    decode: (b) => ({ target: decodeFindNode(b), pad: b.length - 32 }),
  },
  nodes: {
    encode: (v: ReturnType<typeof decodeNodes>) => encodeNodes(v.contacts)[v.part]!,
    decode: decodeNodes,
  },
  find_value: {
    encode: (v: ReturnType<typeof decodeFindValue> & { pad: number }) => encodeFindValue(v, v.pad),
    decode: (b) => ({ ...decodeFindValue(b), pad: b.length - 40 }),
  },
  value: { encode: encodeValue, decode: decodeValue },
  store: { encode: encodeStore, decode: decodeStore },
  store_ack: {
    encode: (v: { status: StoreStatus }) => encodeStoreAck(v.status),
    decode: (b) => ({ status: decodeStoreAck(b) }),
  },
};

export const recordCases: { name: string; record: NodeRecordFields }[] = [
  {
    name: "IPv4 miner and full node",
    record: {
      publicKey: SENDER,
      seq: 1_700_000_000_000,
      roles: ["miner", "full"],
      udp: { host: "203.0.113.7", port: 7401 },
      wsPort: 7101,
    },
  },
  {
    name: "IPv6 validator",
    record: {
      publicKey: SENDER,
      seq: 2,
      roles: ["validator"],
      udp: { host: "2001:db8::7", port: 7401 },
      wsPort: 7101,
    },
  },
  {
    name: "address not yet known, no P2P listener",
    record: { publicKey: SENDER, seq: 3, roles: ["light"], udp: { host: "0.0.0.0", port: 7401 }, wsPort: 0 },
  },
];

const record0 = encodeNodeRecord(recordCases[0]!.record, standIn);
/** Padding that makes a FIND_NODE datagram exactly PADDED_REQUEST_BYTES long. */
const FIND_NODE_PAD = PADDED_REQUEST_BYTES - HEADER_BYTES - SIGNATURE_BYTES - 32;

export const bodyCases: { name: string; type: MsgType; value: unknown }[] = [
  { name: "PING", type: MsgType.Ping, value: {} },
  {
    name: "PONG",
    type: MsgType.Pong,
    value: { observed: { host: "198.51.100.9", port: 40_000 }, record: record0 },
  },
  { name: "FIND_NODE", type: MsgType.FindNode, value: { target: counting(32, 0x40), pad: 0 } },
  {
    name: "FIND_NODE padded to 400 bytes",
    type: MsgType.FindNode,
    value: { target: counting(32, 0x40), pad: FIND_NODE_PAD },
  },
  {
    name: "NODES, one IPv4 and one IPv6 contact",
    type: MsgType.Nodes,
    value: {
      part: 0,
      parts: 1,
      contacts: [
        { publicKey: counting(32, 0x60), endpoint: { host: "203.0.113.8", port: 7401 } },
        { publicKey: counting(32, 0x80), endpoint: { host: "2001:db8::8", port: 7401 } },
      ],
    },
  },
  {
    name: "FIND_VALUE",
    type: MsgType.FindValue,
    value: { key: counting(32, 0xa0), offset: 0, maxLen: 16_384, pad: 0 },
  },
  {
    name: "VALUE, the whole of a small content value",
    type: MsgType.Value,
    value: { kind: ValueKind.Content, total: 5, replyEnd: 5, offset: 0, data: text("hello") },
  },
  {
    name: "VALUE, a fragment in the middle of a window",
    type: MsgType.Value,
    value: {
      kind: ValueKind.Mutable,
      total: 40_000,
      replyEnd: 16_384,
      offset: 1_147,
      data: filled(16, 0xee),
    },
  },
  {
    name: "STORE with the value inline",
    type: MsgType.Store,
    value: {
      key: counting(32, 0xc0),
      kind: ValueKind.Content,
      ttlSeconds: 86_400,
      total: 5,
      data: text("hello"),
    },
  },
  {
    name: "STORE of a large value (the receiver pulls it)",
    type: MsgType.Store,
    value: {
      key: counting(32, 0xc0),
      kind: ValueKind.Content,
      ttlSeconds: 86_400,
      total: 40_000,
      data: new Uint8Array(0),
    },
  },
  { name: "STORE_ACK stored", type: MsgType.StoreAck, value: { status: StoreStatus.Stored } },
  { name: "STORE_ACK fetch failed", type: MsgType.StoreAck, value: { status: StoreStatus.FetchFailed } },
];

const bodyOf = (c: (typeof bodyCases)[number]) => BODY_CODECS[MSG_NAMES[c.type]]!.encode(c.value as never);

export const datagramCases: { name: string; fields: DatagramFields }[] = bodyCases.map((c, i) => ({
  name: c.name,
  fields: {
    type: c.type,
    requestId: counting(8, 1 + i),
    senderKey: SENDER,
    senderSeq: 1_700_000_000_000,
    body: bodyOf(c),
  },
}));

export const mutableCases: { name: string; record: MutableFields }[] = [
  { name: "profile, seq 3", record: { publisher: SENDER, name: "profile", seq: 3, data: text("hello") } },
  {
    name: "UTF-8 name, empty data",
    record: { publisher: SENDER, name: "café", seq: 0, data: new Uint8Array(0) },
  },
];

export const manifestCases: { name: string; manifest: Manifest }[] = [
  {
    name: "two chunks",
    manifest: {
      size: 100_000,
      chunkSize: 65_536,
      name: "a.bin",
      chunks: [counting(32, 0), counting(32, 0x80)],
    },
  },
  { name: "empty file", manifest: { size: 0, chunkSize: 65_536, name: "", chunks: [] } },
];

const ping = toHex(encodeDatagram(datagramCases[0]!.fields, standIn));
const patchAt = (hex: string, byteOffset: number, replacement: string) =>
  hex.slice(0, byteOffset * 2) + replacement + hex.slice(byteOffset * 2 + replacement.length);
const record0Hex = toHex(record0);
const mutable0Hex = toHex(encodeMutable(mutableCases[0]!.record, standIn));
const manifest0Hex = toHex(encodeManifest(manifestCases[0]!.manifest));

export function dhtVectorFile(): object {
  return {
    standInSignature: toHex(STAND_IN_SIGNATURE),
    datagram: {
      valid: datagramCases.map((c) => ({
        name: c.name,
        fields: { ...(jsonForm(c.fields) as object), type: MSG_NAMES[c.fields.type] },
        hex: toHex(encodeDatagram(c.fields, standIn)),
      })),
      invalid: [
        { name: "1,281 bytes", hex: "00".repeat(1281), error: "DECODE_OVERSIZE" },
        { name: "shorter than header and signature", hex: ping.slice(0, 2 * 119), error: "DECODE_TRUNCATED" },
        { name: "wrong magic", hex: patchAt(ping, 0, "00"), error: "DECODE_MALFORMED", field: "magic" },
        { name: "version 1", hex: patchAt(ping, 4, "01"), error: "DECODE_UNSUPPORTED", field: "version" },
        { name: "type 0", hex: patchAt(ping, 5, "00"), error: "DECODE_UNSUPPORTED", field: "type" },
        { name: "type 9", hex: patchAt(ping, 5, "09"), error: "DECODE_UNSUPPORTED", field: "type" },
        { name: "body length past the end", hex: patchAt(ping, 54, "0001"), error: "DECODE_TRUNCATED" },
        { name: "a byte after the signature", hex: `${ping}00`, error: "DECODE_TRAILING" },
        {
          name: "record seq above 2^53 - 1",
          hex: patchAt(ping, 46, "0020000000000000"),
          error: "DECODE_SCHEMA",
        },
      ],
    },
    bodies: {
      valid: bodyCases.map((c) => ({
        name: c.name,
        type: MSG_NAMES[c.type],
        fields: jsonForm(c.value),
        hex: toHex(bodyOf(c)),
      })),
      invalid: [
        { name: "FIND_NODE of 5 bytes", type: "find_node", hex: "0102030405", error: "DECODE_TRUNCATED" },
        {
          name: "FIND_NODE with non-zero padding",
          type: "find_node",
          hex: `${"00".repeat(32)}0001`,
          error: "DECODE_SCHEMA",
        },
        { name: "NODES part 1 of 1", type: "nodes", hex: "010100", error: "DECODE_SCHEMA" },
        { name: "NODES in 9 parts", type: "nodes", hex: "000900", error: "DECODE_SCHEMA" },
        { name: "NODES counting a missing contact", type: "nodes", hex: "000101", error: "DECODE_TRUNCATED" },
        {
          name: "NODES with address family 5",
          type: "nodes",
          hex: `000101${"00".repeat(32)}05`,
          error: "DECODE_SCHEMA",
        },
        { name: "NODES with a trailing byte", type: "nodes", hex: "00010000", error: "DECODE_TRAILING" },
        {
          name: "VALUE of kind 2",
          type: "value",
          hex: `02${"00000005".repeat(2)}00000000`,
          error: "DECODE_SCHEMA",
        },
        {
          name: "VALUE data past its reply end",
          type: "value",
          hex: "00000000050000000400000000aabbccddee",
          error: "DECODE_SCHEMA",
        },
        {
          name: "STORE with a partial inline value",
          type: "store",
          hex: `${"00".repeat(32)}00000151800000000501`,
          error: "DECODE_SCHEMA",
        },
        { name: "STORE_ACK status 5", type: "store_ack", hex: "05", error: "DECODE_SCHEMA" },
        { name: "STORE_ACK with a trailing byte", type: "store_ack", hex: "0000", error: "DECODE_TRAILING" },
      ],
    },
    nodeRecord: {
      valid: recordCases.map((c) => ({
        name: c.name,
        fields: jsonForm(c.record),
        hex: toHex(encodeNodeRecord(c.record, standIn)),
      })),
      invalid: [
        { name: "version 1", hex: patchAt(record0Hex, 0, "01"), error: "DECODE_UNSUPPORTED" },
        { name: "cut inside the signature", hex: record0Hex.slice(0, -2), error: "DECODE_TRUNCATED" },
        { name: "a byte after the signature", hex: `${record0Hex}00`, error: "DECODE_TRAILING" },
        { name: "128 bytes, over the 127-byte limit", hex: "02".repeat(128), error: "DECODE_OVERSIZE" },
      ],
    },
    mutableRecord: {
      valid: mutableCases.map((c) => ({
        name: c.name,
        fields: jsonForm(c.record),
        hex: toHex(encodeMutable(c.record, standIn)),
      })),
      invalid: [
        { name: "version 1", hex: patchAt(mutable0Hex, 0, "01"), error: "DECODE_UNSUPPORTED" },
        { name: "empty name", hex: patchAt(mutable0Hex, 33, "00"), error: "DECODE_SCHEMA" },
        { name: "no room for the signature", hex: mutable0Hex.slice(0, 2 * 60), error: "DECODE_TRUNCATED" },
      ],
    },
    manifest: {
      valid: manifestCases.map((c) => ({
        name: c.name,
        fields: jsonForm(c.manifest),
        hex: toHex(encodeManifest(c.manifest)),
      })),
      invalid: [
        { name: "wrong magic", hex: patchAt(manifest0Hex, 0, "00"), error: "DECODE_MALFORMED" },
        { name: "version 2", hex: patchAt(manifest0Hex, 4, "02"), error: "DECODE_UNSUPPORTED" },
        {
          name: "count disagrees with size",
          hex: patchAt(manifest0Hex, 23, "00000003"),
          error: "DECODE_SCHEMA",
        },
        { name: "last chunk hash cut short", hex: manifest0Hex.slice(0, -2), error: "DECODE_TRUNCATED" },
        { name: "a byte after the chunk list", hex: `${manifest0Hex}00`, error: "DECODE_TRAILING" },
      ],
    },
  };
}
