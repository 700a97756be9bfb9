import {
  type CborValue,
  encodeBlock,
  encodeCanonical,
  encodeHandshakePayload,
  encodeHeader,
  encodeP2pMessage,
  encodeSignedTransaction,
  type HandshakePayload,
  MAX_HEADERS,
  MAX_LOCATOR,
  MAX_SHIELDED_TX_BYTES,
  P2P_MESSAGE_CODES,
  P2P_PROTOCOL_VERSION,
  type P2pMessage,
  type P2pMessageType,
  toHex,
} from "../src/index.js";
import { blockCases, headerCases, signedCases } from "./vector-cases.js";

/*
 * Inputs of test/vectors/p2p.json: one or more messages of every P2P type, the handshake
 * payload, and malformed messages with the error each must produce. The vectors test encodes
 * these same inputs and compares with the committed bytes.
 */

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const hashOf = (byte: number) => filled(32, byte);
const header0 = encodeHeader(headerCases[0]!.header);
const header1 = encodeHeader(headerCases[1]!.header);
const signedTx = encodeSignedTransaction(signedCases[1]!.stx);
const block = encodeBlock(blockCases[1]!.block);

export const p2pCases: { name: string; message: P2pMessage }[] = [
  {
    name: "status",
    message: {
      type: "status",
      height: 12_345,
      tipHash: hashOf(0xab),
      totalWork: "1208925819614629174706176",
    },
  },
  { name: "ping", message: { type: "ping", nonce: 0x0123_4567_89ab_cdefn } },
  { name: "pong, largest nonce", message: { type: "pong", nonce: 2n ** 64n - 1n } },
  { name: "getAddr", message: { type: "getAddr" } },
  {
    name: "addr",
    message: {
      type: "addr",
      addrs: [
        { host: "203.0.113.7", port: 7101, nodeId: hashOf(0x11), latencyMs: 42 },
        { host: "node-3.p2p.svc", port: 7101, nodeId: hashOf(0x22), latencyMs: 0 },
      ],
    },
  },
  {
    name: "inv of a tx and a block",
    message: {
      type: "inv",
      items: [
        { kind: "tx", hash: hashOf(0x01) },
        { kind: "block", hash: hashOf(0x02) },
      ],
    },
  },
  { name: "getData", message: { type: "getData", items: [{ kind: "tx", hash: hashOf(0x01) }] } },
  { name: "notFound", message: { type: "notFound", items: [{ kind: "block", hash: hashOf(0x02) }] } },
  { name: "tx (a signed transfer)", message: { type: "tx", tx: signedTx } },
  { name: "block (two transfers)", message: { type: "block", block } },
  {
    name: "getHeaders without stop",
    message: { type: "getHeaders", locator: [hashOf(0x03), hashOf(0x04)], stop: null, max: MAX_HEADERS },
  },
  { name: "getHeaders with stop", message: { type: "getHeaders", locator: [], stop: hashOf(0x05), max: 16 } },
  { name: "headers", message: { type: "headers", headers: [header0, header1] } },
  { name: "getBlocks", message: { type: "getBlocks", hashes: [hashOf(0x06)] } },
  { name: "blocks", message: { type: "blocks", blocks: [block] } },
  { name: "validationRequest", message: { type: "validationRequest", id: 7, kind: "tx", body: signedTx } },
  {
    name: "validationResult",
    message: { type: "validationResult", id: 7, ok: false, reason: "bad signature" },
  },
  { name: "chainRequest", message: { type: "chainRequest", id: 8, fromHeight: 100, max: 50 } },
  {
    name: "chainResponse",
    message: { type: "chainResponse", id: 8, height: 12_345, tipHash: hashOf(0xab), headers: [header1] },
  },
  { name: "getTxProof", message: { type: "getTxProof", id: 9, txId: hashOf(0x07) } },
  {
    name: "txProof, found",
    message: {
      type: "txProof",
      id: 9,
      found: true,
      blockHash: hashOf(0x08),
      height: 12_345,
      index: 1,
      size: 3,
      path: [hashOf(0x09), hashOf(0x0a)],
    },
  },
  {
    name: "txProof, not found",
    message: {
      type: "txProof",
      id: 9,
      found: false,
      blockHash: filled(32, 0),
      height: 0,
      index: 0,
      size: 0,
      path: [],
    },
  },
  { name: "getAccount", message: { type: "getAccount", id: 10, address: filled(20, 0xa0) } },
  {
    name: "account",
    message: { type: "account", id: 10, height: 12_345, balance: 2n ** 64n - 1n, nonce: 7 },
  },
  { name: "computeCapacity", message: { type: "computeCapacity", slots: 8 } },
  {
    name: "computeJob",
    message: {
      type: "computeJob",
      id: 11,
      functionHash: hashOf(0x60),
      fn: filled(12, 0x61),
      input: '{"x":1}',
      seed: filled(16, 0x62),
      memoryBytes: 67_108_864,
      budget: 2_000_000_000,
      deadlineMs: 30_000,
      proved: "",
    },
  },
  {
    name: "computeResult, a value with a proof",
    message: {
      type: "computeResult",
      id: 11,
      status: "result",
      ok: true,
      json: "[1,2,3,4]",
      code: "",
      message: "",
      instructions: 120_000,
      ms: 42,
      proof: filled(8, 0x63),
    },
  },
  {
    name: "computeResult, refused",
    message: {
      type: "computeResult",
      id: 12,
      status: "refused",
      ok: false,
      json: "",
      code: "QUEUE_FULL",
      message: "2 of 2 slots busy",
      instructions: 0,
      ms: 0,
      proof: new Uint8Array(0),
    },
  },
];

export const handshakeCases: { name: string; payload: HandshakePayload }[] = [
  {
    name: "full node",
    payload: {
      version: P2P_PROTOCOL_VERSION,
      chainId: "p2pnode-devnet",
      genesisHash: hashOf(0x61),
      identityKey: hashOf(0x62),
      signature: filled(64, 0x63),
      listenPort: 7101,
      height: 12_345,
      tipHash: hashOf(0xab),
      totalWork: "1208925819614629174706176",
      agent: "p2pnode/0.1.0",
    },
  },
  {
    name: "light node (work 0, no listener)",
    payload: {
      version: P2P_PROTOCOL_VERSION,
      chainId: "p2pnode",
      genesisHash: hashOf(0x71),
      identityKey: hashOf(0x72),
      signature: filled(64, 0x73),
      listenPort: 0,
      height: 0,
      tipHash: filled(32, 0),
      totalWork: "0",
      agent: "",
    },
  },
];

/** Bytes, hex; bigints, decimal strings: the readable form of a message in the vectors file. */
export function jsonForm(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(jsonForm);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonForm(x)]));
  return v;
}

const withCode = (type: P2pMessageType, body: Uint8Array) =>
  toHex(Uint8Array.of(P2P_MESSAGE_CODES[type], ...body));
const pingHex = toHex(encodeP2pMessage({ type: "ping", nonce: 1n }));

export function p2pVectorFile(): object {
  return {
    valid: p2pCases.map((c) => ({
      name: c.name,
      type: c.message.type,
      code: P2P_MESSAGE_CODES[c.message.type],
      fields: jsonForm(c.message),
      hex: toHex(encodeP2pMessage(c.message)),
    })),
    invalid: [
      { name: "empty", hex: "", error: "DECODE_TRUNCATED" },
      { name: "unknown type code 0x7f", hex: "7fa0", error: "DECODE_UNSUPPORTED" },
      { name: "ping with a trailing byte", hex: `${pingHex}00`, error: "DECODE_TRAILING" },
      { name: "ping over its 32-byte limit", hex: `02${"00".repeat(40)}`, error: "DECODE_OVERSIZE" },
      {
        name: "ping with an extra field",
        hex: withCode("ping", encodeCanonical({ nonce: 1, x: 1 })),
        error: "DECODE_SCHEMA",
      },
      {
        name: "pong with nonce 1 in two bytes (18 01)",
        hex: "03a1656e6f6e63651801",
        error: "DECODE_NONCANONICAL",
      },
      {
        name: "status with a hex totalWork",
        hex: withCode("status", encodeCanonical({ height: 1, tipHash: hashOf(0), totalWork: "0x10" })),
        error: "DECODE_SCHEMA",
      },
      {
        name: "inv with a 32-byte entry",
        hex: withCode("inv", encodeCanonical({ items: filled(32, 1) })),
        error: "DECODE_SCHEMA",
      },
      {
        name: "inv with kind 3",
        hex: withCode("inv", encodeCanonical({ items: filled(33, 3) })),
        error: "DECODE_SCHEMA",
      },
      {
        name: "tx over 69,632 bytes",
        hex: withCode("tx", encodeCanonical({ tx: filled(MAX_SHIELDED_TX_BYTES + 1, 0) })),
        error: "DECODE_OVERSIZE",
      },
      {
        name: "getHeaders with 65 locator hashes",
        hex: withCode(
          "getHeaders",
          encodeCanonical({
            locator: Array(MAX_LOCATOR + 1).fill(hashOf(1)),
            stop: new Uint8Array(0),
            max: 1,
          }),
        ),
        error: "DECODE_OVERSIZE",
      },
      {
        name: "getHeaders asking for 2,001 headers",
        hex: withCode(
          "getHeaders",
          encodeCanonical({ locator: [], stop: new Uint8Array(0), max: MAX_HEADERS + 1 }),
        ),
        error: "DECODE_SCHEMA",
      },
      {
        name: "headers with a 175-byte header",
        hex: withCode("headers", encodeCanonical({ headers: [filled(175, 0)] })),
        error: "DECODE_SCHEMA",
      },
      {
        name: "a CBOR tag",
        hex: withCode("ping", Uint8Array.of(0xa1, 0x65, 110, 111, 110, 99, 101, 0xc2, 0x41, 1)),
        error: "DECODE_MALFORMED",
      },
    ],
    handshakePayload: {
      valid: handshakeCases.map((c) => ({
        name: c.name,
        fields: jsonForm(c.payload),
        hex: toHex(encodeHandshakePayload(c.payload)),
      })),
      invalid: [
        { name: "over 1 KiB", hex: "00".repeat(1025), error: "DECODE_OVERSIZE" },
        {
          name: "uppercase chain id",
          hex: toHex(encodeCanonical(payloadWith({ chainId: "Devnet" }))),
          error: "DECODE_SCHEMA",
        },
        {
          name: "31-byte identity key",
          hex: toHex(encodeCanonical(payloadWith({ identityKey: filled(31, 0) }))),
          error: "DECODE_SCHEMA",
        },
      ],
    },
  };
}

/** The first handshake case with some fields replaced, as a CBOR map: malformed variants. */
function payloadWith(change: Record<string, CborValue>): CborValue {
  return { ...handshakeCases[0]!.payload, ...change } as unknown as CborValue;
}
