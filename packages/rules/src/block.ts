import {
  type Block,
  type BlockHeader,
  blockFromJson,
  decodeBlock,
  encodeBlockFromFrames,
  encodeHeader,
  equalBytes,
  HEADER_SIZE,
  HEADER_VERSION,
  MAX_BLOCK_BYTES,
  MAX_BLOCK_TXS,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { headerHash, meetsTarget, type SignedMessage, transactionSignature, txRoot } from "@p2pnode/crypto";
import type { BlockJson } from "@p2pnode/types";
import { decoding, RuleError, reject } from "./errors.js";
import { checkBlockNullifiers } from "./shielded.js";
import { type CheckedTx, checkAuthority, type KnownTx, prepareTx } from "./tx.js";

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

/** Checks done before decoding: the version (the codec only knows v1) and the tx count. */
export function decodeBlockJson(json: BlockJson): Block {
  checkShape(json.header.version, json.txs.length);
  return decoding("block", () => blockFromJson(json));
}

/**
 * A block from its codec bytes, decoded once; what the codec refuses is DECODE_FAILED. The codec
 * takes only the canonical encoding (fixed header layout, exact framing, canonical txs), so these
 * bytes are the ones prepareBlock would encode: hand them to it with the result. `known`: the txs
 * this node already decoded (its mempool), taken as they are for the frames that are exactly
 * their bytes.
 */
export function decodeBlockBytes(bytes: Uint8Array, known?: KnownTx): Block {
  const frames: Uint8Array[] = [];
  const matches: (CheckedTx | undefined)[] = [];
  const block = decoding("block", () =>
    decodeBlock(bytes, (frame) => {
      frames.push(frame);
      const match = known?.byBytes(frame);
      matches.push(match);
      return match?.stx;
    }),
  );
  decodedBodies.set(block, { body: bytes, frames, matches });
  return block;
}

/**
 * What decodeBlockBytes learnt of a block's bytes, kept beside the decoded object for
 * prepareBlock: the tx frames, and the known tx each frame was found to be (compared byte for
 * byte), so neither the split nor the lookups are done twice. Weak: it goes with the block.
 */
const decodedBodies = new WeakMap<
  Block,
  { body: Uint8Array; frames: Uint8Array[]; matches: (CheckedTx | undefined)[] }
>();

/**
 * Encodes the header, hashes it, and encodes and identifies every transaction. `body`: the codec
 * bytes `block` was decoded from (decodeBlockBytes): stored as they are, and their tx frames used
 * as the txs' bytes, instead of encoding it all again. `known`: the txs this node already
 * prepared (its mempool), whose sender addresses are reused (prepareTx).
 */
export function prepareBlock(
  block: Block,
  chainId: string,
  claimedHash?: string,
  body?: Uint8Array,
  known?: KnownTx,
): PreparedBlock {
  checkShape(block.header.version, block.txs.length);
  // Only for the very bytes this very block was decoded from: a caller may hand other ones.
  const decoded = body && decodedBodies.get(block);
  const fromDecode = decoded?.body === body ? decoded : undefined;
  const frames = fromDecode?.frames ?? (body && decoding("block", () => splitBlock(body).txs));
  if (frames && frames.length !== block.txs.length)
    throw reject("DECODE_FAILED", `block: ${frames.length} tx frames for ${block.txs.length} txs`);
  const headerBytes = decoding("block header", () => encodeHeader(block.header));
  const hash = headerHash(headerBytes);
  const hashHex = toHex(hash);
  if (claimedHash !== undefined && claimedHash !== hashHex) {
    throw reject("INVALID_HASH", `block hash ${claimedHash} does not match its header (${hashHex})`, {
      computed: hashHex,
    });
  }
  const rules = { chainId, minFee: 0n };
  const txs = block.txs.map((stx, index) =>
    withIndex(index, () =>
      prepareTx(stx, rules, undefined, frames?.[index], known, fromDecode?.matches[index]),
    ),
  );
  const size = HEADER_SIZE + 4 + txs.reduce((n, t) => n + 4 + t.bytes.length, 0);
  if (size > MAX_BLOCK_BYTES) throw reject("OVERSIZE", `block is ${size} bytes, limit ${MAX_BLOCK_BYTES}`);
  const encoded =
    body ??
    encodeBlockFromFrames(
      block.header,
      txs.map((t) => t.bytes),
    );
  return { block, hash, hashHex, headerBytes, txs, body: encoded };
}

/**
 * The proof of work against the header's own target (cheap, so it comes before anything costly).
 * Returns the header's hash (computed when not given).
 */
export function checkPow(header: BlockHeader, hash = headerHash(header)): Uint8Array {
  if (!meetsTarget(hash, header.target)) {
    throw reject(
      "INVALID_POW",
      `block ${header.height} hash ${toHex(hash)} is above its target ${toHex(header.target)}`,
    );
  }
  return hash;
}

/** The one timestamp bound that needs no chain: not further ahead of `now` than honest clocks drift. */
export function checkNotInFuture(h: BlockHeader, now: number, maxFutureDriftMs: number): void {
  if (h.timestamp > now + maxFutureDriftMs) {
    throw reject(
      "BAD_TIMESTAMP",
      `timestamp ${h.timestamp} is more than ${maxFutureDriftMs} ms in the future`,
      {
        now,
      },
    );
  }
}

/**
 * The body rules: no state root yet, the Merkle root over the tx ids, no repeated tx, no nullifier
 * published twice, every signature and spend proof (except those of txs this node already
 * verified, e.g. in its mempool). `verdicts[i]`: tx i's signature verdict when a VerifyPool
 * already computed it (checkSignature); the others are verified here.
 */
export function checkBody(
  p: PreparedBlock,
  chainId: string,
  verified: (idHex: string) => boolean,
  verdicts: readonly (boolean | undefined)[] = [],
): void {
  const h = p.block.header;
  if (h.stateRoot.some((b) => b !== 0)) throw reject("BAD_STATE_ROOT", "stateRoot must be all zeros");
  const root = txRoot(p.txs.map((t) => t.id));
  if (!equalBytes(root, h.txRoot)) {
    throw reject(
      "BAD_MERKLE_ROOT",
      `txRoot ${toHex(h.txRoot)} is not the Merkle root of the txs (${toHex(root)})`,
    );
  }
  const seen = new Set<string>();
  p.txs.forEach((t, index) => {
    if (seen.has(t.idHex)) throw reject("DUPLICATE", `transaction ${t.idHex} appears twice`, { index });
    seen.add(t.idHex);
  });
  checkBlockNullifiers(p.txs);
  p.txs.forEach((t, index) => {
    if (!verified(t.idHex)) checkAuthority(t, chainId, index, verdicts[index]);
  });
}

/**
 * The signatures checkBody would verify (txs with a signer that `verified` does not vouch for),
 * by index, for a VerifyPool whose verdicts go back into checkBody.
 */
export function bodySignatures(
  p: PreparedBlock,
  chainId: string,
  verified: (idHex: string) => boolean,
): { index: number; signed: SignedMessage }[] {
  const out: { index: number; signed: SignedMessage }[] = [];
  p.txs.forEach((t, index) => {
    const signed = verified(t.idHex) ? undefined : transactionSignature(t.stx, chainId, t.bytes);
    if (signed) out.push({ index, signed });
  });
  return out;
}

/**
 * Every stateless rule of a block, in the chain's order (encoding and sizes, proof of work, body);
 * what is left (parent, height, target, median time, clock, state) needs the chain.
 */
export function checkBlock(block: Block, chainId: string, claimedHash?: string): PreparedBlock {
  const p = prepareBlock(block, chainId, claimedHash);
  checkPow(block.header, p.hash);
  checkBody(p, chainId, () => false);
  return p;
}

function checkShape(version: number, txCount: number): void {
  if (version !== HEADER_VERSION) {
    throw reject("BAD_VERSION", `block version ${version}: this node knows version ${HEADER_VERSION}`);
  }
  if (txCount > MAX_BLOCK_TXS) {
    throw reject("OVERSIZE", `block has ${txCount} transactions, limit ${MAX_BLOCK_TXS}`);
  }
}

function withIndex<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    throw reject(err.code, `block tx ${index}: ${err.message}`, { ...(err.details as object), index });
  }
}
