import { isShieldedKind, type ShieldedTx, type SignedTransaction, toHex } from "@p2pnode/codec";
import { shieldedTxHash } from "@p2pnode/crypto";
import { digestFromBytes, ShieldedError, verifySpend } from "@p2pnode/shielded";
import { reject } from "./errors.js";
import type { CheckedTx } from "./tx.js";

/** The public statement of a spend (@p2pnode/stark's SpendStatement, as verifySpend takes it). */
export type SpendStatement = Parameters<typeof verifySpend>[0];

/*
 * The stateless rules of the shielded kinds: every digest a canonical field element, two
 * distinct nullifiers, and the spend proof against the statement the transaction itself
 * states (anchor, nullifiers, commitments, the public amounts of its kind, its own hash).
 * Whether the anchor is recent, the nullifiers unspent and the pool large enough needs the
 * chain's state (services/chain).
 */

export function isShielded(stx: SignedTransaction): stx is SignedTransaction & { tx: ShieldedTx } {
  return isShieldedKind(stx.tx.kind);
}

/**
 * The public amounts a kind proves: shield brings `amount` in (its fee is paid by the account),
 * a shielded transfer pays its fee out of the pool, unshield takes `amount` and the fee out.
 */
export function publicAmounts(tx: ShieldedTx): { publicIn: bigint; publicOut: bigint; fee: bigint } {
  if (tx.kind === "shield") return { publicIn: tx.amount, publicOut: 0n, fee: 0n };
  if (tx.kind === "unshield") return { publicIn: 0n, publicOut: tx.amount, fee: tx.fee };
  return { publicIn: 0n, publicOut: 0n, fee: tx.fee };
}

/** How the shielded pool's value changes when the tx applies (in minus what leaves as amount and fee). */
export function poolDelta(tx: ShieldedTx): bigint {
  const a = publicAmounts(tx);
  return a.publicIn - a.publicOut - a.fee;
}

/** The statement the proof must verify against; BAD_FIELD_ELEMENT if a digest is not canonical. */
export function spendStatementOf(tx: ShieldedTx, chainId: string): SpendStatement {
  const digest = (b: Uint8Array, what: string) => {
    try {
      return digestFromBytes(b, what);
    } catch (err) {
      if (err instanceof ShieldedError)
        throw reject("BAD_FIELD_ELEMENT", `${what}: ${err.message}`, { field: what });
      throw err;
    }
  };
  return {
    root: digest(tx.anchor, "anchor"),
    nullifiers: [digest(tx.nullifiers[0], "nullifiers[0]"), digest(tx.nullifiers[1], "nullifiers[1]")],
    commitments: [digest(tx.commitments[0], "commitments[0]"), digest(tx.commitments[1], "commitments[1]")],
    ...publicAmounts(tx),
    txHash: shieldedTxHash(tx, chainId),
  };
}

/** The cheap shape rules: canonical digests and two different nullifiers. */
export function checkShieldedShape(tx: ShieldedTx, chainId: string): SpendStatement {
  const statement = spendStatementOf(tx, chainId);
  if (toHex(tx.nullifiers[0]) === toHex(tx.nullifiers[1]))
    throw reject("NULLIFIER_SPENT", "the two nullifiers of a spend are the same note spent twice");
  return statement;
}

/**
 * Verifies the spend proof (~12 ms): deterministic, the same on every node. The proof must be
 * made with the zero-knowledge parameters and for this very transaction.
 */
export function checkSpendProof(tx: ShieldedTx, chainId: string, index?: number): void {
  const statement = checkShieldedShape(tx, chainId);
  try {
    verifySpend(statement, tx.proof);
  } catch (err) {
    if (!(err instanceof ShieldedError)) throw err;
    const where = index === undefined ? {} : { index };
    if (err.code === "PROOF_TOO_LARGE") throw reject("OVERSIZE", err.message, where);
    throw reject("BAD_PROOF", `spend proof refused: ${err.message}`, { ...where, stark: err.details });
  }
}

/** No nullifier appears twice among a block's transactions (a note spent twice in one block). */
export function checkBlockNullifiers(txs: readonly CheckedTx[]): void {
  const seen = new Set<string>();
  txs.forEach((t, index) => {
    if (!isShielded(t.stx)) return;
    for (const nf of t.stx.tx.nullifiers) {
      const key = toHex(nf);
      if (seen.has(key))
        throw reject("NULLIFIER_SPENT", `block tx ${index}: nullifier ${key} is spent twice in this block`, {
          index,
          nullifier: key,
        });
      seen.add(key);
    }
  });
}
