import {
  type BlockHeader,
  encodeHeader,
  encodeSignedTransaction,
  encodeTransaction,
  HEADER_SIZE,
  type ShieldedTx,
  type SignedTransaction,
  type Transaction,
  unsignedBytesIn,
  withoutProof,
} from "@p2pnode/codec";
import { type SignedMessage, type SigningKey, verify } from "./ed25519.js";
import { assertBytes, CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";
import { merkleRoot } from "./merkle.js";
import { SIGNING_DOMAINS, signDomain, signedDomain, signingBytes } from "./signing.js";

/*
 * The hashes and signatures of chain objects, each defined once here on top of the codec's
 * encodings, so the chain, the miner and the wallet cannot compute them differently.
 */

/** Transaction id = SHA-256 of the encoded signed transaction (commits to the signature too). */
export function txId(stx: SignedTransaction | Uint8Array): Uint8Array {
  return sha256(stx instanceof Uint8Array ? stx : encodeSignedTransaction(stx));
}

/** Block hash = SHA-256 of the 176-byte header; also the proof-of-work hash. */
export function headerHash(header: BlockHeader | Uint8Array): Uint8Array {
  if (header instanceof Uint8Array) {
    assertBytes(header, "header bytes", HEADER_SIZE);
    return sha256(header);
  }
  return sha256(encodeHeader(header));
}

/** The header's txRoot: the Merkle root over the ids of the block's transactions, in order. */
export function txRoot(txIds: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txIds);
}

/** Whether `hash` ≤ `target`, both 32-byte big-endian: the proof-of-work condition. */
export function meetsTarget(hash: Uint8Array, target: Uint8Array): boolean {
  assertBytes(hash, "hash", 32);
  assertBytes(target, "target", 32);
  for (let i = 0; i < 32; i++) if (hash[i] !== target[i]) return hash[i]! < target[i]!;
  return true;
}

/** Signs `tx` for chain `chainId`; `key` must be the key of `tx.from`. */
export function signTransaction(tx: Transaction, chainId: string, key: SigningKey): SignedTransaction {
  if (!("from" in tx) || !Buffer.from(key.publicKey).equals(Buffer.from(tx.from))) {
    throw new CryptoError("BAD_KEY", "signTransaction: the key is not the key of tx.from");
  }
  return { tx, signature: signDomain(key, SIGNING_DOMAINS.tx, chainId, encodeTransaction(tx)) };
}

/**
 * Whether the signature is tx.from's over this tx on chain `chainId` (our one verify rule).
 * `encoded`: encodeSignedTransaction(stx), when the caller has it (see transactionSignature).
 */
export function verifyTransaction(stx: SignedTransaction, chainId: string, encoded?: Uint8Array): boolean {
  const s = transactionSignature(stx, chainId, encoded);
  return s !== undefined && verify(s.signature, s.message, s.publicKey);
}

/**
 * The signature verifyTransaction checks, as one value for a VerifyPool; undefined for the
 * unsigned shielded kinds, which have no signer (their proof is checked instead, in rules).
 * `encoded`: encodeSignedTransaction(stx), when the caller has it (a tx's stored bytes): the
 * signed payload is then taken from it instead of encoding the tx again (~2–3 µs a transfer).
 */
export function transactionSignature(
  stx: SignedTransaction,
  chainId: string,
  encoded?: Uint8Array,
): SignedMessage | undefined {
  if (!("from" in stx.tx)) return undefined;
  const payload = (encoded && unsignedBytesIn(encoded)) ?? encodeTransaction(stx.tx);
  return signedDomain(stx.signature, SIGNING_DOMAINS.tx, chainId, payload, stx.tx.from);
}

/**
 * The 32-byte hash a shielded transaction's spend proof is bound to (the statement's txHash):
 * SHA-256 of the tx signing prefix of this chain and the transaction encoded with an empty
 * proof. Every other field is covered, so a proof moved to another transaction (or chain) fails.
 */
export function shieldedTxHash(tx: ShieldedTx, chainId: string): Uint8Array {
  return sha256(signingBytes(SIGNING_DOMAINS.tx, chainId, encodeTransaction(withoutProof(tx))));
}
