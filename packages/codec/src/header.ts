import { assertBytes } from "./bytes.js";
import { CodecError } from "./errors.js";
import { assertSafeUint, assertU64 } from "./ints.js";

/**
 * A block header in memory. Byte fields are fixed-size; `nonce` is a full u64 because the
 * miner searches that whole space, the other integers stay within safe JS integers.
 */
export interface BlockHeader {
  version: number;
  height: number;
  prevHash: Uint8Array;
  txRoot: Uint8Array;
  /** All zeros while the chain keeps no state commitment. */
  stateRoot: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** 32-byte big-endian proof-of-work target: valid when SHA-256(header) ≤ target. */
  target: Uint8Array;
  /** 20-byte address that receives the reward and fees. */
  miner: Uint8Array;
  nonce: bigint;
}

export const HEADER_VERSION = 1;

/*
 * Version-1 layout, all integers big-endian. The nonce is last and starts at byte 168, past
 * the first two 64-byte SHA-256 blocks, so a miner can hash bytes 0..127 once (a midstate) and
 * per nonce only rewrite bytes 168..175 in place and hash the last 48.
 */
export const HEADER_LAYOUT = {
  version: { offset: 0, size: 4 },
  height: { offset: 4, size: 8 },
  prevHash: { offset: 12, size: 32 },
  txRoot: { offset: 44, size: 32 },
  stateRoot: { offset: 76, size: 32 },
  timestamp: { offset: 108, size: 8 },
  target: { offset: 116, size: 32 },
  miner: { offset: 148, size: 20 },
  nonce: { offset: 168, size: 8 },
} as const;

export const HEADER_SIZE = 176;
export const NONCE_OFFSET = HEADER_LAYOUT.nonce.offset;

const L = HEADER_LAYOUT;

export function encodeHeader(header: BlockHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  encodeHeaderInto(header, out, 0);
  return out;
}

/** Writes the header at `out[offset..offset+176)`; used by the block encoder to avoid a copy. */
export function encodeHeaderInto(header: BlockHeader, out: Uint8Array, offset: number): void {
  if (header.version !== HEADER_VERSION) {
    throw new CodecError(
      "ENCODE_INVALID",
      `header.version: expected ${HEADER_VERSION}, got ${header.version}`,
    );
  }
  assertSafeUint(header.height, "header.height");
  assertSafeUint(header.timestamp, "header.timestamp");
  assertU64(header.nonce, "header.nonce");
  assertBytes(header.prevHash, "header.prevHash", 32);
  assertBytes(header.txRoot, "header.txRoot", 32);
  assertBytes(header.stateRoot, "header.stateRoot", 32);
  assertBytes(header.target, "header.target", 32);
  assertBytes(header.miner, "header.miner", 20);
  const view = new DataView(out.buffer, out.byteOffset + offset, HEADER_SIZE);
  view.setUint32(L.version.offset, header.version);
  view.setBigUint64(L.height.offset, BigInt(header.height));
  out.set(header.prevHash, offset + L.prevHash.offset);
  out.set(header.txRoot, offset + L.txRoot.offset);
  out.set(header.stateRoot, offset + L.stateRoot.offset);
  view.setBigUint64(L.timestamp.offset, BigInt(header.timestamp));
  out.set(header.target, offset + L.target.offset);
  out.set(header.miner, offset + L.miner.offset);
  view.setBigUint64(L.nonce.offset, header.nonce);
}

/** Decodes exactly one header: `bytes` must be exactly HEADER_SIZE long. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  assertBytes(bytes, "header bytes");
  if (bytes.length < HEADER_SIZE) {
    throw new CodecError("DECODE_TRUNCATED", `header: expected ${HEADER_SIZE} bytes, got ${bytes.length}`);
  }
  if (bytes.length > HEADER_SIZE) {
    throw new CodecError("DECODE_TRAILING", `header: expected ${HEADER_SIZE} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const version = view.getUint32(L.version.offset);
  if (version !== HEADER_VERSION) {
    throw new CodecError("DECODE_UNSUPPORTED", `header: unknown version ${version}`, { version });
  }
  // Copies (Buffer#slice would alias), so a decoded header never changes under its owner.
  const slice = (f: { offset: number; size: number }) =>
    new Uint8Array(bytes.subarray(f.offset, f.offset + f.size));
  return {
    version,
    height: readSafeUint(view, L.height.offset, "header.height"),
    prevHash: slice(L.prevHash),
    txRoot: slice(L.txRoot),
    stateRoot: slice(L.stateRoot),
    timestamp: readSafeUint(view, L.timestamp.offset, "header.timestamp"),
    target: slice(L.target),
    miner: slice(L.miner),
    nonce: view.getBigUint64(L.nonce.offset),
  };
}

/** Rewrites the nonce of encoded header bytes in place (the miner's inner loop). */
export function setHeaderNonce(headerBytes: Uint8Array, nonce: bigint): void {
  if (headerBytes.length !== HEADER_SIZE) {
    throw new CodecError(
      "ENCODE_INVALID",
      `header bytes: expected ${HEADER_SIZE}, got ${headerBytes.length}`,
    );
  }
  assertU64(nonce, "nonce");
  new DataView(headerBytes.buffer, headerBytes.byteOffset, HEADER_SIZE).setBigUint64(NONCE_OFFSET, nonce);
}

function readSafeUint(view: DataView, offset: number, what: string): number {
  const value = view.getBigUint64(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CodecError("DECODE_SCHEMA", `${what}: ${value} exceeds 2^53-1`);
  }
  return Number(value);
}
