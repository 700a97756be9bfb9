import { assertBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import { MAX_BLOCK_BYTES } from "../limits.js";
import { checkFixed, checkIndex, checkSlot, type Reader, Writer } from "./cursor.js";
import { checkMask, checkValidatorCount, maskBytes, popcount } from "./mask.js";

/*
 * Dolev-Strong message layouts, version 1, all integers big-endian (README.md "Consensus").
 * Every decoder takes the genesis validator count n: it sizes the signer mask, bounds signer
 * indices, and gives the largest valid input, which is checked before anything is parsed.
 */

export const DS_FORMAT_VERSION = 1;
export const SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;

/** A block offered by the slot's leader, with the leader's relay signature over its hash. */
export interface DsProposal {
  slot: number;
  leader: number;
  /** The leader's signature over the vote payload (slot, block hash) under the relay tag. */
  signature: Uint8Array;
  /** The encoded block (codec's block layout). */
  block: Uint8Array;
}

/**
 * A value relayed in round r: the block hash with ≥ r signatures, the leader's among them. A
 * validator relaying a value for the first time attaches the block, so that every valid message
 * it sends is enough on its own for the receiver to accept the value (it never waits on a block
 * that might not come).
 */
export interface DsRelay {
  slot: number;
  leader: number;
  blockHash: Uint8Array;
  /** Signer bitmask, ⌈n/8⌉ bytes (mask.ts). */
  mask: Uint8Array;
  /** One signature per bit set, in ascending signer order. */
  signatures: Uint8Array[];
  /** The encoded block whose header hash is blockHash, or empty. */
  block: Uint8Array;
}

/** One validator's commit signature for the block it decided in a slot. */
export interface DsCommitVote {
  slot: number;
  blockHash: Uint8Array;
  signer: number;
  signature: Uint8Array;
}

export const PROPOSAL_FIXED_BYTES = 1 + 8 + 2 + SIGNATURE_BYTES;
export const RELAY_FIXED_BYTES = 1 + 8 + 2 + HASH_BYTES + 4 + 2;
export const COMMIT_VOTE_BYTES = 1 + 8 + HASH_BYTES + 2 + SIGNATURE_BYTES;
export const VOTE_PAYLOAD_BYTES = 8 + HASH_BYTES;

/** Largest encoded proposal: the fixed part and a block of the largest size. */
export const MAX_PROPOSAL_BYTES = PROPOSAL_FIXED_BYTES + MAX_BLOCK_BYTES;

/** Largest relay for `n` validators: the largest block and every bit set. */
export function maxRelayBytes(n: number): number {
  return RELAY_FIXED_BYTES + MAX_BLOCK_BYTES + maskBytes(n) + n * SIGNATURE_BYTES;
}

/**
 * The payload every relay and commit signature covers, under its own tag (crypto):
 * slot u64 ‖ block hash (32). The leader is the slot's by round-robin, so it needs no field.
 */
export function encodeVotePayload(slot: number, blockHash: Uint8Array): Uint8Array {
  const out = new Uint8Array(VOTE_PAYLOAD_BYTES);
  encodeVotePayloadInto(slot, blockHash, out, 0);
  return out;
}

/**
 * Writes the vote payload at `out[offset..offset+40)`. Every relay and commit signature is
 * checked over these bytes, so the signer prefixes them without a second copy.
 */
export function encodeVotePayloadInto(
  slot: number,
  blockHash: Uint8Array,
  out: Uint8Array,
  offset: number,
): void {
  checkFixed(blockHash, HASH_BYTES, "vote.blockHash");
  checkSlot(slot, "vote");
  const hi = Math.floor(slot / 0x1_0000_0000);
  const lo = slot >>> 0;
  out[offset] = hi >>> 24;
  out[offset + 1] = (hi >>> 16) & 0xff;
  out[offset + 2] = (hi >>> 8) & 0xff;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
  out.set(blockHash, offset + 8);
}

/** `lead`: the message kind byte to put first (messages.ts), or none for the bare body. */
export function encodeProposal(p: DsProposal, lead?: number): Uint8Array {
  assertBytes(p.block, "proposal.block");
  if (p.block.length === 0 || p.block.length > MAX_BLOCK_BYTES) {
    throw new CodecError("ENCODE_INVALID", `proposal.block: 1 to ${MAX_BLOCK_BYTES} bytes`);
  }
  return new Writer(PROPOSAL_FIXED_BYTES + p.block.length, lead)
    .u8(DS_FORMAT_VERSION)
    .u64(checkSlot(p.slot, "proposal"))
    .u16(checkIndex(p.leader, "proposal.leader"))
    .bytes(checkFixed(p.signature, SIGNATURE_BYTES, "proposal.signature"))
    .bytes(p.block)
    .done();
}

export function readProposal(r: Reader, n: number, what: string): DsProposal {
  const slot = r.safeU64("slot");
  const leader = readSigner(r, n, what, "leader");
  const signature = r.bytesOf(SIGNATURE_BYTES, "signature");
  if (r.remaining === 0) throw new CodecError("DECODE_TRUNCATED", `${what}: no block`);
  return { slot, leader, signature, block: r.rest("block") };
}

export function encodeRelay(m: DsRelay, lead?: number): Uint8Array {
  checkSignatures(m.mask, m.signatures, "relay");
  assertBytes(m.block, "relay.block");
  if (m.block.length > MAX_BLOCK_BYTES) {
    throw new CodecError("ENCODE_INVALID", `relay.block: ${m.block.length} bytes exceeds ${MAX_BLOCK_BYTES}`);
  }
  const size = RELAY_FIXED_BYTES + m.block.length + m.mask.length + m.signatures.length * SIGNATURE_BYTES;
  const w = new Writer(size, lead)
    .u8(DS_FORMAT_VERSION)
    .u64(checkSlot(m.slot, "relay"))
    .u16(checkIndex(m.leader, "relay.leader"))
    .bytes(checkFixed(m.blockHash, HASH_BYTES, "relay.blockHash"))
    .u32(m.block.length)
    .bytes(m.block)
    .u16(m.mask.length)
    .bytes(m.mask);
  for (const s of m.signatures) w.bytes(s);
  return w.done();
}

export function readRelay(r: Reader, n: number, what: string): DsRelay {
  const slot = r.safeU64("slot");
  const leader = readSigner(r, n, what, "leader");
  const blockHash = r.bytesOf(HASH_BYTES, "blockHash");
  const blockLength = r.u32("blockLength");
  if (blockLength > MAX_BLOCK_BYTES) {
    throw new CodecError("DECODE_OVERSIZE", `${what}.block: ${blockLength} bytes exceeds ${MAX_BLOCK_BYTES}`);
  }
  const block = r.bytesOf(blockLength, "block");
  const { mask, signatures } = readSignerSet(r, n, what);
  return { slot, leader, blockHash, mask, signatures, block };
}

export function encodeCommitVote(v: DsCommitVote, lead?: number): Uint8Array {
  return new Writer(COMMIT_VOTE_BYTES, lead)
    .u8(DS_FORMAT_VERSION)
    .u64(checkSlot(v.slot, "commit"))
    .bytes(checkFixed(v.blockHash, HASH_BYTES, "commit.blockHash"))
    .u16(checkIndex(v.signer, "commit.signer"))
    .bytes(checkFixed(v.signature, SIGNATURE_BYTES, "commit.signature"))
    .done();
}

export function readCommitVote(r: Reader, n: number, what: string): DsCommitVote {
  return {
    slot: r.safeU64("slot"),
    blockHash: r.bytesOf(HASH_BYTES, "blockHash"),
    signer: readSigner(r, n, what, "signer"),
    signature: r.bytesOf(SIGNATURE_BYTES, "signature"),
  };
}

/** A validator index below n (DECODE_UNKNOWN_SIGNER otherwise). */
export function readSigner(r: Reader, n: number, what: string, field: string): number {
  const i = r.u16(field);
  if (i >= n) {
    throw new CodecError("DECODE_UNKNOWN_SIGNER", `${what}.${field}: ${i} is not one of the ${n} validators`);
  }
  return i;
}

/**
 * maskLength u16 ‖ mask ‖ one signature per bit set, up to the end of the input. The length is
 * checked against ⌈n/8⌉ before the mask is read, and the signature count against the bits.
 */
export function readSignerSet(
  r: Reader,
  n: number,
  what: string,
): { mask: Uint8Array; signatures: Uint8Array[] } {
  checkValidatorCount(n);
  const length = r.u16("maskLength");
  if (length !== maskBytes(n)) {
    throw new CodecError(
      "DECODE_MASK_SIZE",
      `${what}: signer mask of ${length} bytes, expected ${maskBytes(n)} for ${n} validators`,
    );
  }
  const mask = r.bytesOf(length, "mask");
  checkMask(mask, n, what);
  const bits = popcount(mask);
  if (r.remaining % SIGNATURE_BYTES !== 0) {
    throw new CodecError("DECODE_TRUNCATED", `${what}: signatures are not a whole number of 64 bytes`);
  }
  const count = r.remaining / SIGNATURE_BYTES;
  if (count < bits) {
    throw new CodecError("DECODE_MISSING_SIGNATURE", `${what}: ${bits} signer bits set, ${count} signatures`);
  }
  if (count > bits) {
    throw new CodecError("DECODE_EXTRA_SIGNATURE", `${what}: ${count} signatures for ${bits} signer bits`);
  }
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < count; i++) signatures.push(r.bytesOf(SIGNATURE_BYTES, "signature"));
  return { mask, signatures };
}

export function checkSignatures(mask: Uint8Array, signatures: Uint8Array[], what: string): void {
  assertBytes(mask, `${what}.mask`);
  if (mask.length === 0 || mask.length > 0xffff) {
    throw new CodecError("ENCODE_INVALID", `${what}.mask: 1 to 65535 bytes`);
  }
  if (!Array.isArray(signatures) || signatures.length !== popcount(mask)) {
    throw new CodecError("ENCODE_INVALID", `${what}: one signature per signer bit`);
  }
  signatures.forEach((s, i) => {
    checkFixed(s, SIGNATURE_BYTES, `${what}.signatures[${i}]`);
  });
}
