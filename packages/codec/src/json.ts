import type { BlockHeaderJson, BlockJson, SignedTransactionJson, TransactionJson } from "@p2pnode/types";
import type { Block } from "./block.js";
import { fromHex, toHex } from "./bytes.js";
import { CodecError } from "./errors.js";
import type { BlockHeader } from "./header.js";
import { isShieldedKind } from "./shielded-tx.js";
import { type ShieldedTxJson, shieldedTxFromJson, shieldedTxToJson } from "./shielded-tx-json.js";
import { type SignedTransaction, signatureBytesOf, type Transaction } from "./transaction.js";

/*
 * Converters between the in-memory objects (bigint, Uint8Array) and the JSON shapes of
 * @p2pnode/types that REST and NATS carry. The *FromJson functions expect input already
 * parsed by the matching zod schema; they still check lengths, since hex is the border.
 */

export function transactionToJson(tx: Transaction): TransactionJson {
  if (tx.kind !== "transfer") return shieldedTxToJson(tx);
  return {
    kind: tx.kind,
    from: toHex(tx.from),
    to: toHex(tx.to),
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
    memo: toHex(tx.memo),
  };
}

export function transactionFromJson(json: TransactionJson): Transaction {
  if (isShieldedKind(json.kind)) return shieldedTxFromJson(json as ShieldedTxJson);
  if (json.kind !== "transfer") {
    throw new CodecError("DECODE_UNSUPPORTED", `transaction: unknown kind "${String(json.kind)}"`);
  }
  return {
    kind: "transfer",
    from: fromHex(json.from, "transaction.from", 32),
    to: fromHex(json.to, "transaction.to", 20),
    amount: decimal(json.amount, "transaction.amount"),
    fee: decimal(json.fee, "transaction.fee"),
    nonce: json.nonce,
    memo: fromHex(json.memo, "transaction.memo"),
  };
}

/** `id` is included when the caller has it (it is SHA-256 of the encoding, computed in crypto). */
export function signedTransactionToJson(stx: SignedTransaction, id?: Uint8Array): SignedTransactionJson {
  const json: SignedTransactionJson = { tx: transactionToJson(stx.tx), signature: toHex(stx.signature) };
  return id ? { id: toHex(id), ...json } : json;
}

export function signedTransactionFromJson(json: SignedTransactionJson): SignedTransaction {
  return {
    tx: transactionFromJson(json.tx),
    signature: fromHex(json.signature, "signedTransaction.signature", signatureBytesOf(json.tx.kind)),
  };
}

export function headerToJson(h: BlockHeader): BlockHeaderJson {
  return {
    version: h.version,
    height: h.height,
    prevHash: toHex(h.prevHash),
    txRoot: toHex(h.txRoot),
    stateRoot: toHex(h.stateRoot),
    timestamp: h.timestamp,
    target: toHex(h.target),
    nonce: h.nonce.toString(),
    miner: toHex(h.miner),
  };
}

export function headerFromJson(json: BlockHeaderJson): BlockHeader {
  return {
    version: json.version,
    height: json.height,
    prevHash: fromHex(json.prevHash, "header.prevHash", 32),
    txRoot: fromHex(json.txRoot, "header.txRoot", 32),
    stateRoot: fromHex(json.stateRoot, "header.stateRoot", 32),
    timestamp: json.timestamp,
    target: fromHex(json.target, "header.target", 32),
    nonce: decimal(json.nonce, "header.nonce"),
    miner: fromHex(json.miner, "header.miner", 20),
  };
}

export function blockToJson(block: Block, hash?: Uint8Array, txIds?: Uint8Array[]): BlockJson {
  const json: BlockJson = {
    header: headerToJson(block.header),
    txs: block.txs.map((tx, i) => signedTransactionToJson(tx, txIds?.[i])),
  };
  return hash ? { hash: toHex(hash), ...json } : json;
}

export function blockFromJson(json: BlockJson): Block {
  return { header: headerFromJson(json.header), txs: json.txs.map(signedTransactionFromJson) };
}

function decimal(s: string, what: string): bigint {
  if (typeof s !== "string" || !/^(0|[1-9][0-9]*)$/.test(s)) {
    throw new CodecError("DECODE_SCHEMA", `${what}: expected a decimal string`);
  }
  return BigInt(s);
}
