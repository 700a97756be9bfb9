import type { CborValue } from "../cbor.js";
import { CodecError } from "../errors.js";
import { type CborMap, readBytes, readU64 } from "../fields.js";
import { HEADER_SIZE } from "../header.js";
import { U64_MAX } from "../ints.js";
import { MAX_BLOCK_BYTES, MAX_SHIELDED_TX_BYTES } from "../limits.js";
import { COMPUTE_SPECS } from "./compute.js";
import {
  checkBytes,
  checkList,
  checkText,
  checkUint,
  decodeInv,
  encodeInv,
  kindCode,
  readBool,
  readBoundedText,
  readBytesList,
  readKind,
  readList,
  readUint,
} from "./fields.js";
import {
  INV_ENTRY_BYTES,
  MAX_ADDRS,
  MAX_GET_BLOCKS,
  MAX_HEADERS,
  MAX_HOST_CHARS,
  MAX_INV_ITEMS,
  MAX_LOCATOR,
  MAX_P2P_MESSAGE_BYTES,
  MAX_REASON_CHARS,
  MAX_WORK_DIGITS,
} from "./limits.js";
import type { P2pMessageOf, P2pMessageType, PeerAddress } from "./types.js";

/** How one message type maps to its CBOR body: fields, byte limit, encoder and decoder. */
export interface MessageSpec<T extends P2pMessageType> {
  keys: readonly string[];
  /** Largest encoded body; checked before the body is parsed. */
  maxBytes: number;
  encode: (m: P2pMessageOf<T>) => CborMap;
  decode: (map: CborMap, what: string) => P2pMessageOf<T>;
}

const WORK = /^(0|[1-9][0-9]*)$/;
const HOST = /^[A-Za-z0-9.:-]+$/;
// Room for CBOR heads and field names on top of the payload itself.
const SLACK = 256;
const invSpec = <T extends "inv" | "getData" | "notFound">(type: T): MessageSpec<T> => ({
  keys: ["items"],
  maxBytes: MAX_INV_ITEMS * INV_ENTRY_BYTES + SLACK,
  encode: (m) => ({ items: encodeInv((m as P2pMessageOf<"inv">).items, type) }),
  decode: (map, what) => ({ type, items: decodeInv(map, "items", what) }) as P2pMessageOf<T>,
});
const readHash = (map: CborMap, key: string, what: string) => readBytes(map, key, what, 32);
const u64 = (v: bigint, what: string) => {
  if (typeof v !== "bigint" || v < 0n || v > U64_MAX) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected an unsigned 64-bit bigint`);
  }
  return v;
};
const schemaError = (what: string, message: string): never => {
  throw new CodecError("DECODE_SCHEMA", `${what}: ${message}`);
};

function encodeAddr(a: PeerAddress, i: number): CborValue {
  return {
    host: checkText(a.host, `addr[${i}].host`, MAX_HOST_CHARS, HOST),
    port: checkUint(a.port, `addr[${i}].port`, 65535),
    nodeId: checkBytes(a.nodeId, `addr[${i}].nodeId`, 32),
    latencyMs: checkUint(a.latencyMs, `addr[${i}].latencyMs`, 3_600_000),
  };
}

function decodeAddr(v: unknown, what: string): PeerAddress {
  const map = v as CborMap;
  if (map === null || typeof map !== "object" || Array.isArray(map) || map instanceof Uint8Array) {
    return schemaError(what, "expected a map");
  }
  if (Object.keys(map).length !== 4) schemaError(what, "expected host, port, nodeId, latencyMs");
  const host = readBoundedText(map, "host", what, MAX_HOST_CHARS);
  if (!HOST.test(host)) schemaError(`${what}.host`, "not a hostname or IP address");
  return {
    host,
    port: readUint(map, "port", what, 65535),
    nodeId: readHash(map, "nodeId", what),
    latencyMs: readUint(map, "latencyMs", what, 3_600_000),
  };
}

export const SPECS: { [T in P2pMessageType]: MessageSpec<T> } = {
  status: {
    keys: ["height", "tipHash", "totalWork"],
    maxBytes: SLACK,
    encode: (m) => ({
      height: checkUint(m.height, "status.height"),
      tipHash: checkBytes(m.tipHash, "status.tipHash", 32),
      totalWork: checkText(m.totalWork, "status.totalWork", MAX_WORK_DIGITS, WORK),
    }),
    decode: (map, what) => {
      const totalWork = readBoundedText(map, "totalWork", what, MAX_WORK_DIGITS);
      if (!WORK.test(totalWork)) schemaError(`${what}.totalWork`, "expected a decimal integer");
      return {
        type: "status",
        height: readUint(map, "height", what),
        tipHash: readHash(map, "tipHash", what),
        totalWork,
      };
    },
  },
  ping: {
    keys: ["nonce"],
    maxBytes: 32,
    encode: (m) => ({ nonce: u64(m.nonce, "ping.nonce") }),
    decode: (map, what) => ({ type: "ping", nonce: readU64(map, "nonce", what) }),
  },
  pong: {
    keys: ["nonce"],
    maxBytes: 32,
    encode: (m) => ({ nonce: u64(m.nonce, "pong.nonce") }),
    decode: (map, what) => ({ type: "pong", nonce: readU64(map, "nonce", what) }),
  },
  getAddr: { keys: [], maxBytes: 1, encode: () => ({}), decode: () => ({ type: "getAddr" }) },
  addr: {
    keys: ["addrs"],
    maxBytes: MAX_ADDRS * (MAX_HOST_CHARS + 80) + SLACK,
    encode: (m) => ({ addrs: checkList(m.addrs, "addr.addrs", MAX_ADDRS).map(encodeAddr) }),
    decode: (map, what) => ({
      type: "addr",
      addrs: readList(map, "addrs", what, MAX_ADDRS).map((a, i) => decodeAddr(a, `${what}.addrs[${i}]`)),
    }),
  },
  inv: invSpec("inv"),
  getData: invSpec("getData"),
  notFound: invSpec("notFound"),
  tx: {
    keys: ["tx"],
    // The largest kind (a shielded tx with its proof); the tx decoder applies each kind's own limit.
    maxBytes: MAX_SHIELDED_TX_BYTES + SLACK,
    encode: (m) => ({ tx: checkBytes(m.tx, "tx.tx", undefined, MAX_SHIELDED_TX_BYTES) }),
    decode: (map, what) => ({ type: "tx", tx: readBytes(map, "tx", what, undefined, MAX_SHIELDED_TX_BYTES) }),
  },
  block: {
    keys: ["block"],
    maxBytes: MAX_BLOCK_BYTES + SLACK,
    encode: (m) => ({ block: checkBytes(m.block, "block.block", undefined, MAX_BLOCK_BYTES) }),
    decode: (map, what) => ({
      type: "block",
      block: readBytes(map, "block", what, undefined, MAX_BLOCK_BYTES),
    }),
  },
  getHeaders: {
    keys: ["locator", "stop", "max"],
    maxBytes: MAX_LOCATOR * 34 + SLACK,
    encode: (m) => ({
      locator: checkList(m.locator, "getHeaders.locator", MAX_LOCATOR).map((h, i) =>
        checkBytes(h, `getHeaders.locator[${i}]`, 32),
      ),
      stop: m.stop === null ? new Uint8Array(0) : checkBytes(m.stop, "getHeaders.stop", 32),
      max: checkUint(m.max, "getHeaders.max", MAX_HEADERS),
    }),
    decode: (map, what) => {
      const stop = readBytes(map, "stop", what, undefined, 32);
      if (stop.length !== 0 && stop.length !== 32) schemaError(`${what}.stop`, "expected 0 or 32 bytes");
      return {
        type: "getHeaders",
        locator: readBytesList(map, "locator", what, MAX_LOCATOR, { length: 32 }),
        stop: stop.length === 0 ? null : stop,
        max: readUint(map, "max", what, MAX_HEADERS),
      };
    },
  },
  headers: {
    keys: ["headers"],
    maxBytes: MAX_HEADERS * (HEADER_SIZE + 3) + SLACK,
    encode: (m) => ({
      headers: checkList(m.headers, "headers", MAX_HEADERS).map((h, i) =>
        checkBytes(h, `headers[${i}]`, HEADER_SIZE),
      ),
    }),
    decode: (map, what) => ({
      type: "headers",
      headers: readBytesList(map, "headers", what, MAX_HEADERS, { length: HEADER_SIZE }),
    }),
  },
  getBlocks: {
    keys: ["hashes"],
    maxBytes: MAX_GET_BLOCKS * 34 + SLACK,
    encode: (m) => ({
      hashes: checkList(m.hashes, "getBlocks.hashes", MAX_GET_BLOCKS).map((h, i) =>
        checkBytes(h, `getBlocks.hashes[${i}]`, 32),
      ),
    }),
    decode: (map, what) => ({
      type: "getBlocks",
      hashes: readBytesList(map, "hashes", what, MAX_GET_BLOCKS, { length: 32 }),
    }),
  },
  blocks: {
    keys: ["blocks"],
    maxBytes: MAX_P2P_MESSAGE_BYTES - 1,
    encode: (m) => ({
      blocks: checkList(m.blocks, "blocks", MAX_GET_BLOCKS).map((b, i) =>
        checkBytes(b, `blocks[${i}]`, undefined, MAX_BLOCK_BYTES),
      ),
    }),
    decode: (map, what) => ({
      type: "blocks",
      blocks: readBytesList(map, "blocks", what, MAX_GET_BLOCKS, { maxLength: MAX_BLOCK_BYTES }),
    }),
  },
  validationRequest: {
    keys: ["id", "kind", "body"],
    maxBytes: MAX_BLOCK_BYTES + SLACK,
    encode: (m) => ({
      id: checkUint(m.id, "validationRequest.id", 0xffff_ffff),
      kind: kindCode(m.kind),
      body: checkBytes(m.body, "validationRequest.body", undefined, MAX_BLOCK_BYTES),
    }),
    decode: (map, what) => ({
      type: "validationRequest",
      id: readUint(map, "id", what, 0xffff_ffff),
      kind: readKind(map, "kind", what),
      body: readBytes(map, "body", what, undefined, MAX_BLOCK_BYTES),
    }),
  },
  validationResult: {
    keys: ["id", "ok", "reason"],
    maxBytes: MAX_REASON_CHARS * 4 + SLACK,
    encode: (m) => ({
      id: checkUint(m.id, "validationResult.id", 0xffff_ffff),
      ok: m.ok === true,
      reason: checkText(m.reason, "validationResult.reason", MAX_REASON_CHARS),
    }),
    decode: (map, what) => ({
      type: "validationResult",
      id: readUint(map, "id", what, 0xffff_ffff),
      ok: readBool(map, "ok", what),
      reason: readBoundedText(map, "reason", what, MAX_REASON_CHARS),
    }),
  },
  chainRequest: {
    keys: ["id", "fromHeight", "max"],
    maxBytes: 64,
    encode: (m) => ({
      id: checkUint(m.id, "chainRequest.id", 0xffff_ffff),
      fromHeight: checkUint(m.fromHeight, "chainRequest.fromHeight"),
      max: checkUint(m.max, "chainRequest.max", MAX_HEADERS),
    }),
    decode: (map, what) => ({
      type: "chainRequest",
      id: readUint(map, "id", what, 0xffff_ffff),
      fromHeight: readUint(map, "fromHeight", what),
      max: readUint(map, "max", what, MAX_HEADERS),
    }),
  },
  chainResponse: {
    keys: ["id", "height", "tipHash", "headers"],
    maxBytes: MAX_HEADERS * (HEADER_SIZE + 3) + SLACK,
    encode: (m) => ({
      id: checkUint(m.id, "chainResponse.id", 0xffff_ffff),
      height: checkUint(m.height, "chainResponse.height"),
      tipHash: checkBytes(m.tipHash, "chainResponse.tipHash", 32),
      headers: checkList(m.headers, "chainResponse.headers", MAX_HEADERS).map((h, i) =>
        checkBytes(h, `chainResponse.headers[${i}]`, HEADER_SIZE),
      ),
    }),
    decode: (map, what) => ({
      type: "chainResponse",
      id: readUint(map, "id", what, 0xffff_ffff),
      height: readUint(map, "height", what),
      tipHash: readHash(map, "tipHash", what),
      headers: readBytesList(map, "headers", what, MAX_HEADERS, { length: HEADER_SIZE }),
    }),
  },
  getTxProof: {
    keys: ["id", "txId"],
    maxBytes: 64,
    encode: (m) => ({
      id: checkUint(m.id, "getTxProof.id", 0xffff_ffff),
      txId: checkBytes(m.txId, "getTxProof.txId", 32),
    }),
    decode: (map, what) => ({
      type: "getTxProof",
      id: readUint(map, "id", what, 0xffff_ffff),
      txId: readHash(map, "txId", what),
    }),
  },
  txProof: {
    keys: ["id", "found", "blockHash", "height", "index", "size", "path"],
    // A path has at most 64 siblings (RFC 6962 over ≤ 2^32 leaves is 32; the verifier caps at 64).
    maxBytes: 64 * 35 + SLACK,
    encode: (m) => ({
      id: checkUint(m.id, "txProof.id", 0xffff_ffff),
      found: m.found === true,
      blockHash: checkBytes(m.blockHash, "txProof.blockHash", 32),
      height: checkUint(m.height, "txProof.height"),
      index: checkUint(m.index, "txProof.index", 0xffff_ffff),
      size: checkUint(m.size, "txProof.size", 0xffff_ffff),
      path: checkList(m.path, "txProof.path", 64).map((h, i) => checkBytes(h, `txProof.path[${i}]`, 32)),
    }),
    decode: (map, what) => ({
      type: "txProof",
      id: readUint(map, "id", what, 0xffff_ffff),
      found: readBool(map, "found", what),
      blockHash: readHash(map, "blockHash", what),
      height: readUint(map, "height", what),
      index: readUint(map, "index", what, 0xffff_ffff),
      size: readUint(map, "size", what, 0xffff_ffff),
      path: readBytesList(map, "path", what, 64, { length: 32 }),
    }),
  },
  getAccount: {
    keys: ["id", "address"],
    maxBytes: 64,
    encode: (m) => ({
      id: checkUint(m.id, "getAccount.id", 0xffff_ffff),
      address: checkBytes(m.address, "getAccount.address", 20),
    }),
    decode: (map, what) => ({
      type: "getAccount",
      id: readUint(map, "id", what, 0xffff_ffff),
      address: readBytes(map, "address", what, 20),
    }),
  },
  account: {
    keys: ["id", "height", "balance", "nonce"],
    maxBytes: 64,
    encode: (m) => ({
      id: checkUint(m.id, "account.id", 0xffff_ffff),
      height: checkUint(m.height, "account.height"),
      balance: u64(m.balance, "account.balance"),
      nonce: checkUint(m.nonce, "account.nonce"),
    }),
    decode: (map, what) => ({
      type: "account",
      id: readUint(map, "id", what, 0xffff_ffff),
      height: readUint(map, "height", what),
      balance: readU64(map, "balance", what),
      nonce: readUint(map, "nonce", what),
    }),
  },
  ...COMPUTE_SPECS,
};
