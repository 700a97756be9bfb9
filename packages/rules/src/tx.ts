import {
  decodeSignedTransaction,
  encodeSignedTransaction,
  hasSigner,
  isShieldedKind,
  maxBytesOf,
  type SignedTransaction,
  signedTransactionFromJson,
  toHex,
} from "@p2pnode/codec";
import { addressOf, txId, verifyTransaction } from "@p2pnode/crypto";
import type { SignedTransactionJson } from "@p2pnode/types";
import { decoding, reject } from "./errors.js";
import { checkSpendProof, isShielded } from "./shielded.js";

/** A transaction that passed the rules that need no state: encoding, size, fee floor, signature. */
export interface CheckedTx {
  stx: SignedTransaction;
  /** The canonical encoding (stored in blocks, hashed into the id). */
  bytes: Uint8Array;
  id: Uint8Array;
  idHex: string;
  /**
   * Address of tx.from (transfer, shield). The unsigned shielded kinds have no sender: an empty
   * array and "" (the chain keeps them apart from the per-sender queues).
   */
  sender: Uint8Array;
  senderHex: string;
}

export interface TxRuleOptions {
  chainId: string;
  /** Smallest fee; the mempool's policy floor, 0 inside blocks (consensus has none). */
  minFee: bigint;
}

/** JSON (already schema-checked) to the codec's object; what the codec refuses is DECODE_FAILED. */
export function txFromJson(json: SignedTransactionJson): SignedTransaction {
  return decoding("transaction", () => signedTransactionFromJson(json));
}

/**
 * A transaction from its codec bytes, decoded once; what the codec refuses is DECODE_FAILED. The
 * codec takes only the canonical encoding (it re-encodes and compares), so these bytes are the
 * ones prepareTx would encode: hand them to it with the result.
 */
export function decodeTxBytes(bytes: Uint8Array): SignedTransaction {
  return decoding("transaction", () => decodeSignedTransaction(bytes));
}

/**
 * The txs this node already prepared (its mempool). By id: the id is the hash of the encoding, so
 * a tx with that id has those bytes and what is derived from them (the sender's address). By
 * bytes: the one whose encoding is exactly these bytes, so whose id is their hash; it spares a
 * block's known txs the hashing of their ids, and (decodeBlockBytes) their decoding. Either
 * answers undefined when it does not know.
 */
export interface KnownTx {
  byId(idHex: string): CheckedTx | undefined;
  /** `stx`: what the bytes decode to, when the caller has it (a cheaper lookup). */
  byBytes(bytes: Uint8Array, stx?: SignedTransaction): CheckedTx | undefined;
}

/**
 * Encodes and identifies a transaction and checks its kind, size and fee; no signature yet.
 * `encoded`: the codec bytes `stx` was decoded from (decodeTxBytes), used as they are instead of
 * encoding it again. `known`: where the id and the sender's address are taken from instead of
 * hashing the bytes and the public key again, when these bytes (or this id) are there. `match`:
 * what `known.byBytes` already answered for these bytes (decodeBlockBytes asked it), taken
 * when it is this very `stx`.
 */
export function prepareTx(
  stx: SignedTransaction,
  o: TxRuleOptions,
  claimedId?: string,
  encoded?: Uint8Array,
  known?: KnownTx,
  match?: CheckedTx,
): CheckedTx {
  if (stx.tx.kind !== "transfer" && !isShieldedKind(stx.tx.kind))
    throw reject("INVALID_TX", `unsupported transaction kind ${String(stx.tx.kind)}`);
  const bytes = encoded ?? decoding("transaction", () => encodeSignedTransaction(stx));
  const max = maxBytesOf(stx.tx.kind);
  if (bytes.length > max) {
    throw reject("OVERSIZE", `transaction is ${bytes.length} bytes, limit ${max}`);
  }
  const equal = match?.stx === stx && encoded !== undefined ? match : known?.byBytes(bytes, stx);
  const id = equal?.id ?? txId(bytes);
  const idHex = equal?.idHex ?? toHex(id);
  if (claimedId !== undefined && claimedId !== idHex) {
    throw reject("INVALID_HASH", `transaction id ${claimedId} does not match its content (${idHex})`);
  }
  if (stx.tx.fee < o.minFee)
    throw reject("FEE_TOO_LOW", `fee ${stx.tx.fee} is below the minimum ${o.minFee}`);
  // The known tx itself when it is this very object (its bytes are these): nothing to build.
  if (equal?.stx === stx) return equal;
  const same = equal ?? known?.byId(idHex);
  if (same) return { stx, bytes, id, idHex, sender: same.sender, senderHex: same.senderHex };
  const sender = "from" in stx.tx ? addressOf(stx.tx.from) : new Uint8Array(0);
  return { stx, bytes, id, idHex, sender, senderHex: toHex(sender) };
}

/**
 * The signature check, crypto's one verify rule under the `p2pnode/tx/v1` domain and this chain's
 * id. A tx signed for another chain fails here like a forged one: domain separation makes them
 * indistinguishable, which is the point. `verdict`: verify()'s answer on crypto's
 * `transactionSignature(t.stx, chainId)` when a VerifyPool already computed it, so the same bytes
 * under the same rule; without it the signature is verified here.
 */
export function checkSignature(t: CheckedTx, chainId: string, index?: number, verdict?: boolean): void {
  // The unsigned shielded kinds are authorized by their proof alone.
  if (!hasSigner(t.stx.tx.kind)) {
    checkAuthority(t, chainId, index);
    return;
  }
  if (!(verdict ?? verifyTransaction(t.stx, chainId, t.bytes))) {
    throw reject(
      "INVALID_SIGNATURE",
      `transaction ${t.idHex}: signature does not verify on chain ${chainId} (forged, tampered or signed for another chain)`,
      index === undefined ? { id: t.idHex } : { id: t.idHex, index },
    );
  }
}

/**
 * What authorizes a transaction: the signature of the kinds an account signs, and the spend
 * proof of the shielded kinds (a shield has both: its account pays, its proof makes the notes).
 * `verdict`: the signature's verdict when already computed (checkSignature).
 */
export function checkAuthority(t: CheckedTx, chainId: string, index?: number, verdict?: boolean): void {
  if (hasSigner(t.stx.tx.kind)) checkSignature(t, chainId, index, verdict);
  if (isShielded(t.stx)) checkSpendProof(t.stx.tx, chainId, index);
}

/**
 * Every stateless rule of a transaction, in order; what is left needs the chain's state.
 * `encoded`: the codec bytes `stx` was decoded from (decodeTxBytes), used as prepareTx uses them.
 */
export function checkTx(
  stx: SignedTransaction,
  o: TxRuleOptions,
  claimedId?: string,
  encoded?: Uint8Array,
): CheckedTx {
  const t = prepareTx(stx, o, claimedId, encoded);
  checkAuthority(t, o.chainId);
  return t;
}
