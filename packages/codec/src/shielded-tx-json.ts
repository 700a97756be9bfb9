import type { ShieldedTransferTxJson, ShieldTxJson, UnshieldTxJson } from "@p2pnode/types";
import { fromHex, toHex } from "./bytes.js";
import { CodecError } from "./errors.js";
import { U64_MAX } from "./ints.js";
import { NOTE_CIPHERTEXT_BYTES } from "./limits.js";
import type { ShieldedSpend, ShieldedTx } from "./shielded-tx.js";

/** JSON of the shielded kinds (REST and NATS): bytes as hex, amounts as decimal strings. */
export type ShieldedTxJson = ShieldTxJson | ShieldedTransferTxJson | UnshieldTxJson;

export function shieldedTxToJson(tx: ShieldedTx): ShieldedTxJson {
  const spend = {
    fee: tx.fee.toString(),
    anchor: toHex(tx.anchor),
    nullifiers: [toHex(tx.nullifiers[0]), toHex(tx.nullifiers[1])] as [string, string],
    commitments: [toHex(tx.commitments[0]), toHex(tx.commitments[1])] as [string, string],
    notes: [toHex(tx.notes[0]), toHex(tx.notes[1])] as [string, string],
    proof: toHex(tx.proof),
  };
  if (tx.kind === "shield")
    return { kind: tx.kind, from: toHex(tx.from), amount: tx.amount.toString(), nonce: tx.nonce, ...spend };
  if (tx.kind === "unshield")
    return { kind: tx.kind, to: toHex(tx.to), amount: tx.amount.toString(), ...spend };
  return { kind: tx.kind, ...spend };
}

export function shieldedTxFromJson(json: ShieldedTxJson): ShieldedTx {
  const spend: ShieldedSpend = {
    anchor: fromHex(json.anchor, "transaction.anchor", 32),
    nullifiers: [
      fromHex(json.nullifiers[0], "transaction.nullifiers[0]", 32),
      fromHex(json.nullifiers[1], "transaction.nullifiers[1]", 32),
    ],
    commitments: [
      fromHex(json.commitments[0], "transaction.commitments[0]", 32),
      fromHex(json.commitments[1], "transaction.commitments[1]", 32),
    ],
    notes: [
      fromHex(json.notes[0], "transaction.notes[0]", NOTE_CIPHERTEXT_BYTES),
      fromHex(json.notes[1], "transaction.notes[1]", NOTE_CIPHERTEXT_BYTES),
    ],
    proof: fromHex(json.proof, "transaction.proof"),
  };
  const fee = u64(json.fee, "transaction.fee");
  if (json.kind === "shield") {
    return {
      kind: json.kind,
      from: fromHex(json.from, "transaction.from", 32),
      amount: u64(json.amount, "transaction.amount"),
      fee,
      nonce: json.nonce,
      ...spend,
    };
  }
  if (json.kind === "unshield") {
    return {
      kind: json.kind,
      to: fromHex(json.to, "transaction.to", 20),
      amount: u64(json.amount, "transaction.amount"),
      fee,
      ...spend,
    };
  }
  return { kind: json.kind, fee, ...spend };
}

function u64(s: string, what: string): bigint {
  if (typeof s !== "string" || !/^(0|[1-9][0-9]*)$/.test(s))
    throw new CodecError("DECODE_SCHEMA", `${what}: expected a decimal string`);
  const n = BigInt(s);
  if (n > U64_MAX) throw new CodecError("DECODE_SCHEMA", `${what}: ${s} exceeds 2^64 − 1`);
  return n;
}
