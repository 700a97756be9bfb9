import {
  type Block,
  type BlockHeader,
  blockFromJson,
  encodeBlockFromFrames,
  encodeHeader,
  equalBytes,
  HEADER_SIZE,
  HEADER_VERSION,
  MAX_BLOCK_BYTES,
  MAX_BLOCK_TXS,
} from "@p2pnode/codec";
import { headerHash, meetsTarget, txRoot } from "@p2pnode/crypto";
import type { BlockJson } from "@p2pnode/types";
import { ChainError, reject } from "./errors.js";
import { hex } from "./store.js";
import { type CheckedTx, checkSignature, decodeFailed, prepareTx } from "./validation.js";

/** A decoded block with its hash and encodings; its transactions are prepared, not yet verified. */
export interface PreparedBlock {
  block: Block;
  hash: Uint8Array;
  hashHex: string;
  headerBytes: Uint8Array;
  txs: CheckedTx[];
  /** The encoded block (header ‖ count ‖ framed txs), as stored. */
  body: Uint8Array;
}

export interface BlockRuleOptions {
  chainId: string;
  /** How far ahead of this node's clock a timestamp may be (clock skew between honest nodes). */
  maxFutureDriftMs: number;
}

/** Checks done before decoding: the version (the codec only knows v1) and the tx count. */
export function decodeBlockJson(json: BlockJson): Block {
  if (json.header.version !== HEADER_VERSION) {
    throw reject(
      "BAD_VERSION",
      `block version ${json.header.version}: this node knows version ${HEADER_VERSION}`,
    );
  }
  if (json.txs.length > MAX_BLOCK_TXS) {
    throw reject("OVERSIZE", `block has ${json.txs.length} transactions, limit ${MAX_BLOCK_TXS}`);
  }
  try {
    return blockFromJson(json);
  } catch (err) {
    throw decodeFailed(err, "block");
  }
}

/** Encodes the header, hashes it, and encodes and identifies every transaction. */
export function prepareBlock(block: Block, chainId: string, claimedHash?: string): PreparedBlock {
  if (block.header.version !== HEADER_VERSION) {
    throw reject(
      "BAD_VERSION",
      `block version ${block.header.version}: this node knows version ${HEADER_VERSION}`,
    );
  }
  if (block.txs.length > MAX_BLOCK_TXS) {
    throw reject("OVERSIZE", `block has ${block.txs.length} transactions, limit ${MAX_BLOCK_TXS}`);
  }
  let headerBytes: Uint8Array;
  try {
    headerBytes = encodeHeader(block.header);
  } catch (err) {
    throw decodeFailed(err, "block header");
  }
  const hash = headerHash(headerBytes);
  const hashHex = hex(hash);
  if (claimedHash !== undefined && claimedHash !== hashHex) {
    throw reject("INVALID_HASH", `block hash ${claimedHash} does not match its header (${hashHex})`, {
      computed: hashHex,
    });
  }
  const txs = block.txs.map((stx, index) => withIndex(index, () => prepareTx(stx, { chainId, minFee: 0n })));
  const size = HEADER_SIZE + 4 + txs.reduce((n, t) => n + 4 + t.bytes.length, 0);
  if (size > MAX_BLOCK_BYTES) throw reject("OVERSIZE", `block is ${size} bytes, limit ${MAX_BLOCK_BYTES}`);
  const body = encodeBlockFromFrames(
    block.header,
    txs.map((t) => t.bytes),
  );
  return { block, hash, hashHex, headerBytes, txs, body };
}

/** The proof of work against the header's own target (cheap, so it comes before anything costly). */
export function checkPow(p: PreparedBlock): void {
  if (!meetsTarget(p.hash, p.block.header.target)) {
    throw reject("INVALID_POW", `block hash ${p.hashHex} is above its target ${hex(p.block.header.target)}`);
  }
}

export interface HeaderContext {
  parentHeight: number;
  expectedTarget: Uint8Array;
  /** Median timestamp of the last 11 blocks: a new block must be later (Bitcoin's rule). */
  medianTimePast: number;
  now: number;
}

export function checkHeaderContext(h: BlockHeader, ctx: HeaderContext, o: BlockRuleOptions): void {
  if (h.height !== ctx.parentHeight + 1) {
    throw reject("BAD_HEIGHT", `height ${h.height} does not follow its parent's ${ctx.parentHeight}`);
  }
  if (!equalBytes(h.target, ctx.expectedTarget)) {
    throw reject("BAD_TARGET", `target ${hex(h.target)} is not the expected ${hex(ctx.expectedTarget)}`, {
      expected: hex(ctx.expectedTarget),
    });
  }
  if (h.timestamp <= ctx.medianTimePast) {
    throw reject("BAD_TIMESTAMP", `timestamp ${h.timestamp} is not after the median of the last 11 blocks`, {
      medianTimePast: ctx.medianTimePast,
    });
  }
  if (h.timestamp > ctx.now + o.maxFutureDriftMs) {
    throw reject(
      "BAD_TIMESTAMP",
      `timestamp ${h.timestamp} is more than ${o.maxFutureDriftMs} ms in the future`,
      {
        now: ctx.now,
      },
    );
  }
}

/**
 * The body rules: no state root yet, the Merkle root over the tx ids, no repeated tx, every
 * signature (except those of txs this node already verified, e.g. in its mempool).
 */
export function checkBody(p: PreparedBlock, chainId: string, verified: (idHex: string) => boolean): void {
  const h = p.block.header;
  if (h.stateRoot.some((b) => b !== 0)) throw reject("BAD_STATE_ROOT", "stateRoot must be all zeros");
  const root = txRoot(p.txs.map((t) => t.id));
  if (!equalBytes(root, h.txRoot)) {
    throw reject(
      "BAD_MERKLE_ROOT",
      `txRoot ${hex(h.txRoot)} is not the Merkle root of the txs (${hex(root)})`,
    );
  }
  const seen = new Set<string>();
  p.txs.forEach((t, index) => {
    if (seen.has(t.idHex)) throw reject("DUPLICATE", `transaction ${t.idHex} appears twice`, { index });
    seen.add(t.idHex);
  });
  p.txs.forEach((t, index) => {
    if (!verified(t.idHex)) checkSignature(t, chainId, index);
  });
}

function withIndex<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ChainError)) throw err;
    throw reject(err.code, `block tx ${index}: ${err.message}`, { ...(err.details as object), index });
  }
}
