import { assertBytes } from "./bytes.js";
import { type CborValue, decodeStrict, requireCanonical } from "./cbor.js";
import { CborWriter } from "./cbor-writer.js";
import { CodecError } from "./errors.js";
import { readBytes, readMap, readSafeUint, readText, readU64 } from "./fields.js";
import { assertSafeUint, assertU64 } from "./ints.js";
import { MAX_MEMO_BYTES, MAX_SHIELDED_TX_BYTES, MAX_TX_BYTES } from "./limits.js";
import {
  hasSigner,
  isShieldedKind,
  type ShieldedTx,
  shieldedTxFromCbor,
  writeShieldedTx,
} from "./shielded-tx.js";
import { readSignedTransfer, writeSignedTransfer } from "./signed-transfer.js";

/** Version of the transaction encoding, carried in every transaction as `v`. */
export const TX_VERSION = 1;

/** Moves `amount` from the signer to `to`; the miner gets `fee`. */
export interface TransferTx {
  kind: "transfer";
  /** Ed25519 public key of the sender (32 bytes); the sender's address is derived from it. */
  from: Uint8Array;
  /** Recipient address (20 bytes). */
  to: Uint8Array;
  amount: bigint;
  fee: bigint;
  /** The sender's account nonce this transaction consumes. */
  nonce: number;
  /** Free bytes, at most MAX_MEMO_BYTES. */
  memo: Uint8Array;
}

/** Every transaction kind: transfers and the shielded kinds (shielded-tx.ts). */
export type Transaction = TransferTx | ShieldedTx;
export type TransactionKind = Transaction["kind"];

export interface SignedTransaction {
  tx: Transaction;
  /**
   * Ed25519 signature over signingBytes("p2pnode/tx/v1", chainId, encodeTransaction(tx)) for the
   * kinds with a signer (transfer, shield); empty for shielded and unshield, whose proof is the authority.
   */
  signature: Uint8Array;
}

/*
 * Wire form (deterministic CBOR, keys shown in their canonical order):
 *   transaction = { "v": 1, "to": bytes(20), "fee": uint, "from": bytes(32), "kind": "transfer",
 *                   "memo": bytes(≤256), "nonce": uint, "amount": uint }
 *   signed      = { "tx": transaction, "sig": bytes(64) }
 * The unsigned map is what gets signed; nested in `signed` it keeps the same bytes.
 */
const TRANSFER_KEYS = ["v", "kind", "from", "to", "amount", "fee", "nonce", "memo"] as const;
const SIGNED_KEYS = ["tx", "sig"] as const;

/** A transfer's fields have the types, lengths and ranges its encoding needs (else ENCODE_INVALID). */
function assertTransfer(tx: TransferTx): void {
  assertBytes(tx.from, "transaction.from", 32);
  assertBytes(tx.to, "transaction.to", 20);
  assertU64(tx.amount, "transaction.amount");
  assertU64(tx.fee, "transaction.fee");
  assertSafeUint(tx.nonce, "transaction.nonce");
  assertBytes(tx.memo, "transaction.memo");
  if (tx.memo.length > MAX_MEMO_BYTES) {
    throw new CodecError(
      "ENCODE_INVALID",
      `transaction.memo: ${tx.memo.length} bytes exceeds ${MAX_MEMO_BYTES}`,
    );
  }
}

/** Checks `tx` at the border, then writes its canonical map into `w`. */
function writeTransaction(w: CborWriter, tx: Transaction): void {
  if (tx === null || typeof tx !== "object") {
    throw new CodecError("ENCODE_INVALID", "transaction: expected an object");
  }
  if (isShieldedKind(tx.kind)) {
    writeShieldedTx(w, tx as ShieldedTx, TX_VERSION);
    return;
  }
  if (tx.kind !== "transfer") {
    throw new CodecError(
      "ENCODE_INVALID",
      `transaction.kind: unknown kind ${String((tx as { kind: unknown }).kind)}`,
    );
  }
  assertTransfer(tx);
  // Canonical key order: by encoded bytes, i.e. shorter keys first, then bytewise.
  w.map(8)
    .text("v")
    .uint(TX_VERSION)
    .text("to")
    .bytes(tx.to)
    .text("fee")
    .uint(tx.fee)
    .text("from")
    .bytes(tx.from)
    .text("kind")
    .text(tx.kind)
    .text("memo")
    .bytes(tx.memo)
    .text("nonce")
    .uint(tx.nonce)
    .text("amount")
    .uint(tx.amount);
}

function transactionFromCbor(value: CborValue): Transaction {
  const what = "transaction";
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new CodecError("DECODE_SCHEMA", `${what}: expected a map`);
  }
  // Version and kind first, so an unknown one is reported as such, not as wrong fields.
  const version = value.v;
  if (version !== TX_VERSION) {
    throw new CodecError("DECODE_UNSUPPORTED", `${what}: unknown version ${String(version)}`);
  }
  const kind = readText(value, "kind", what);
  if (isShieldedKind(kind)) return shieldedTxFromCbor(value, kind);
  if (kind !== "transfer") throw new CodecError("DECODE_UNSUPPORTED", `${what}: unknown kind "${kind}"`);
  const map = readMap(value, TRANSFER_KEYS, what);
  return {
    kind,
    from: readBytes(map, "from", what, 32),
    to: readBytes(map, "to", what, 20),
    amount: readU64(map, "amount", what),
    fee: readU64(map, "fee", what),
    nonce: readSafeUint(map, "nonce", what),
    memo: readBytes(map, "memo", what, undefined, MAX_MEMO_BYTES),
  };
}

/** The canonical bytes of an unsigned transaction: the payload that is signed. */
export function encodeTransaction(tx: Transaction): Uint8Array {
  const w = new CborWriter();
  writeTransaction(w, tx);
  return w.finish();
}

/**
 * Decoding parses strictly with cborg, checks the schema, then re-encodes the result with the
 * writer above: the input must be exactly those bytes, so there is one encoding per value.
 */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  const tx = transactionFromCbor(decodeStrict(bytes, "transaction", MAX_SHIELDED_TX_BYTES));
  checkKindSize(tx, bytes.length, "transaction");
  requireCanonical(encodeTransaction(tx), bytes, "transaction");
  return tx;
}

/** The canonical bytes of a signed transaction: what is gossiped, stored and hashed into its id. */
export function encodeSignedTransaction(stx: SignedTransaction): Uint8Array {
  assertBytes(stx?.signature, "signedTransaction.signature", signatureBytesOf(stx.tx?.kind));
  let bytes: Uint8Array;
  if (stx.tx?.kind === "transfer") {
    // The transfers that arrive as JSON are encoded here once each: laid out directly.
    assertTransfer(stx.tx);
    bytes = writeSignedTransfer(stx.tx, stx.signature);
  } else {
    const w = new CborWriter(512);
    w.map(2).text("tx");
    writeTransaction(w, stx.tx);
    bytes = w.text("sig").bytes(stx.signature).finish();
  }
  const max = maxBytesOf(stx.tx.kind);
  if (bytes.length > max) {
    throw new CodecError("ENCODE_INVALID", `signed transaction: ${bytes.length} bytes exceeds ${max}`);
  }
  return bytes;
}

/** 64 for the kinds an account signs, 0 for the kinds a proof authorizes. */
export function signatureBytesOf(kind: string): number {
  return hasSigner(kind) ? 64 : 0;
}

/** The encoded-size limit of a kind: MAX_TX_BYTES for transfers, MAX_SHIELDED_TX_BYTES for shielded kinds. */
export function maxBytesOf(kind: string): number {
  return isShieldedKind(kind) ? MAX_SHIELDED_TX_BYTES : MAX_TX_BYTES;
}

function checkKindSize(tx: Transaction, length: number, what: string): void {
  const max = maxBytesOf(tx.kind);
  if (length > max)
    throw new CodecError("DECODE_OVERSIZE", `${what}: ${length} bytes exceeds ${max} for a ${tx.kind}`);
}

export function decodeSignedTransaction(bytes: Uint8Array): SignedTransaction {
  // Most txs are transfers: read those straight from their fixed layout (signed-transfer.ts).
  return readSignedTransfer(bytes) ?? decodeAnySignedTransaction(bytes);
}

/** The general decoder, every kind and every error (exported for the transfer reader's tests). */
export function decodeAnySignedTransaction(bytes: Uint8Array): SignedTransaction {
  const what = "signed transaction";
  // The largest kind's limit before parsing; the transfer's smaller one as soon as the kind is known.
  const map = readMap(decodeStrict(bytes, what, MAX_SHIELDED_TX_BYTES), SIGNED_KEYS, what);
  const tx = transactionFromCbor(map.tx as CborValue);
  checkKindSize(tx, bytes.length, what);
  const stx = { tx, signature: readBytes(map, "sig", what, signatureBytesOf(tx.kind)) };
  requireCanonical(encodeSignedTransaction(stx), bytes, what);
  return stx;
}
