import { assertBytes } from "./bytes.js";
import { CodecError } from "./errors.js";
import { type BlockHeader, decodeHeader, encodeHeaderInto, HEADER_SIZE } from "./header.js";
import { MAX_BLOCK_BYTES, MAX_BLOCK_TXS, MAX_SHIELDED_TX_BYTES } from "./limits.js";
import { decodeSignedTransaction, encodeSignedTransaction, type SignedTransaction } from "./transaction.js";

export interface Block {
  header: BlockHeader;
  txs: SignedTransaction[];
}

/** A block cut into its parts without decoding them: what hashing needs (ids, header hash). */
export interface BlockFrames {
  header: Uint8Array;
  txs: Uint8Array[];
}

/*
 * Layout: header (176 bytes, see header.ts) ‖ txCount u32 ‖ txCount × (length u32 ‖ signed tx).
 * Integers are big-endian. Binary framing rather than CBOR so the header bytes inside a block
 * are the very bytes that were hashed, and a node can hash them without re-encoding.
 */
const COUNT_SIZE = 4;
const LENGTH_SIZE = 4;

export function encodeBlock(block: Block): Uint8Array {
  if (!Array.isArray(block?.txs)) throw new CodecError("ENCODE_INVALID", "block.txs: expected an array");
  if (block.txs.length > MAX_BLOCK_TXS) {
    throw new CodecError("ENCODE_INVALID", `block: ${block.txs.length} txs exceeds ${MAX_BLOCK_TXS}`);
  }
  const txs = block.txs.map((tx) => encodeSignedTransaction(tx));
  return frame(block.header, txs);
}

/** Encodes a block from already-encoded signed transactions (the miner's template path). */
export function encodeBlockFromFrames(header: BlockHeader, txs: Uint8Array[]): Uint8Array {
  txs.forEach((tx, i) => {
    assertBytes(tx, `block.txs[${i}]`);
  });
  return frame(header, txs);
}

function frame(header: BlockHeader, txs: Uint8Array[]): Uint8Array {
  const size = HEADER_SIZE + COUNT_SIZE + txs.reduce((n, tx) => n + LENGTH_SIZE + tx.length, 0);
  if (size > MAX_BLOCK_BYTES) {
    throw new CodecError("ENCODE_INVALID", `block: ${size} bytes exceeds ${MAX_BLOCK_BYTES}`);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  encodeHeaderInto(header, out, 0);
  let offset = HEADER_SIZE;
  view.setUint32(offset, txs.length);
  offset += COUNT_SIZE;
  for (const tx of txs) {
    view.setUint32(offset, tx.length);
    out.set(tx, offset + LENGTH_SIZE);
    offset += LENGTH_SIZE + tx.length;
  }
  return out;
}

/**
 * Cuts a block into header and transaction bytes, checking every declared count and length
 * against the limits and the bytes actually present before slicing anything.
 */
export function splitBlock(bytes: Uint8Array): BlockFrames {
  assertBytes(bytes, "block bytes");
  if (bytes.length > MAX_BLOCK_BYTES) {
    throw new CodecError("DECODE_OVERSIZE", `block: ${bytes.length} bytes exceeds ${MAX_BLOCK_BYTES}`);
  }
  if (bytes.length < HEADER_SIZE + COUNT_SIZE) {
    throw new CodecError(
      "DECODE_TRUNCATED",
      `block: ${bytes.length} bytes is shorter than a header and count`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const count = view.getUint32(HEADER_SIZE);
  if (count > MAX_BLOCK_TXS) {
    throw new CodecError("DECODE_OVERSIZE", `block: ${count} txs exceeds ${MAX_BLOCK_TXS}`);
  }
  let offset = HEADER_SIZE + COUNT_SIZE;
  if (count * LENGTH_SIZE > bytes.length - offset) {
    throw new CodecError("DECODE_TRUNCATED", `block: declares ${count} txs but has ${bytes.length} bytes`);
  }
  const txs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + LENGTH_SIZE > bytes.length) {
      throw new CodecError("DECODE_TRUNCATED", `block: tx ${i} length is cut off`);
    }
    const length = view.getUint32(offset);
    offset += LENGTH_SIZE;
    if (length > MAX_SHIELDED_TX_BYTES) {
      throw new CodecError(
        "DECODE_OVERSIZE",
        `block: tx ${i} declares ${length} bytes, limit ${MAX_SHIELDED_TX_BYTES}`,
      );
    }
    if (length > bytes.length - offset) {
      throw new CodecError("DECODE_TRUNCATED", `block: tx ${i} declares ${length} bytes past the end`);
    }
    txs.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) {
    throw new CodecError("DECODE_TRAILING", `block: ${bytes.length - offset} bytes after the last tx`);
  }
  return { header: bytes.subarray(0, HEADER_SIZE), txs };
}

/**
 * `known`: the decoded tx whose canonical encoding is exactly a frame's bytes, where the caller
 * holds one (a node's mempool: most of a block's txs), used instead of decoding the frame again;
 * it is what decoding would give, since the codec takes only canonical encodings. A block's txs
 * are live until its commit ends, so each one decoded again is ~1.7 KB more for the young
 * generation's collections to copy. It is called once per frame, in order (the caller may
 * record the frames through it).
 */
export function decodeBlock(
  bytes: Uint8Array,
  known?: (frame: Uint8Array) => SignedTransaction | undefined,
): Block {
  const frames = splitBlock(bytes);
  return {
    header: decodeHeader(frames.header),
    txs: frames.txs.map((tx, i) => {
      try {
        return known?.(tx) ?? decodeSignedTransaction(tx);
      } catch (err) {
        if (err instanceof CodecError) {
          throw new CodecError(err.code, `block tx ${i}: ${err.message}`, { index: i, cause: err.details });
        }
        throw err;
      }
    }),
  };
}
