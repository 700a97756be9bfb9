import {
  decodeBlock,
  type ShieldedTransferTx,
  type ShieldTx,
  type SignedTransaction,
  type UnshieldTx,
} from "@p2pnode/codec";
import { shieldedTxHash, signTransaction } from "@p2pnode/crypto";
import {
  addressOf,
  CommitmentTree,
  digestFromBytes,
  type Note,
  type OwnedNote,
  prepareSpend,
  proveSpend,
  type SpendingKey,
  spendTxFields,
} from "@p2pnode/shielded";
import type { Chain } from "../src/chain.js";
import { CHAIN_ID, type Wallet } from "./helpers.js";

const EMPTY = new Uint8Array(0);

/** The wallet's copy of the commitment tree, rebuilt from the chain's main-chain blocks. */
export function treeOf(chain: Chain): CommitmentTree {
  const tree = new CommitmentTree();
  for (let h = 1; h <= chain.tipBlock.height; h++) {
    const block = decodeBlock(chain.store.blockBody(chain.store.mainHashAt(h)!)!);
    for (const stx of block.txs) {
      if (stx.tx.kind === "transfer") continue;
      for (const cm of stx.tx.commitments) tree.append(digestFromBytes(cm));
    }
  }
  return tree;
}

/** Finds `note` (by its commitment) in the tree: where a wallet's scan put it. */
export function owned(tree: CommitmentTree, note: Note, commitment: Uint8Array): OwnedNote {
  const cm = digestFromBytes(commitment);
  for (let p = 0; p < tree.size; p++)
    if (tree.leaf(p).every((v, i) => v === cm[i])) return { note, position: p };
  throw new Error("note not in the tree");
}

export interface Built {
  stx: SignedTransaction;
  notes: readonly [Note, Note];
}

/** Account → a note of `amount` for `to` (proved for the tx's own hash, then signed). */
export function shield(
  from: Wallet,
  sk: SpendingKey,
  amount: bigint,
  nonce: number,
  tree: CommitmentTree,
  fee = 10n,
): Built {
  const prep = prepareSpend({
    sk,
    inputs: [],
    tree,
    outputs: [{ to: addressOf(sk), value: amount }],
    publicIn: amount,
  });
  const tx: ShieldTx = {
    kind: "shield",
    from: from.key.publicKey,
    amount,
    fee,
    nonce,
    ...spendTxFields(prep),
    proof: EMPTY,
  };
  const { proof } = proveSpend(prep, shieldedTxHash(tx, CHAIN_ID));
  return { stx: signTransaction({ ...tx, proof }, CHAIN_ID, from.key), notes: prep.notes };
}

/** Notes → notes: pays `value` to `to`, the change back to the spender. */
export function send(
  sk: SpendingKey,
  inputs: OwnedNote[],
  to: SpendingKey,
  value: bigint,
  tree: CommitmentTree,
  fee = 5n,
): Built {
  const total = inputs.reduce((n, i) => n + i.note.value, 0n);
  const prep = prepareSpend({
    sk,
    inputs,
    tree,
    outputs: [
      { to: addressOf(to), value },
      { to: addressOf(sk), value: total - value - fee },
    ],
    fee,
  });
  const tx: ShieldedTransferTx = { kind: "shielded", fee, ...spendTxFields(prep), proof: EMPTY };
  const { proof } = proveSpend(prep, shieldedTxHash(tx, CHAIN_ID));
  return { stx: { tx: { ...tx, proof }, signature: EMPTY }, notes: prep.notes };
}

/** Notes → the account `to`: `amount` out, the change back to the spender. */
export function unshield(
  sk: SpendingKey,
  inputs: OwnedNote[],
  to: Wallet,
  amount: bigint,
  tree: CommitmentTree,
  fee = 5n,
): Built {
  const total = inputs.reduce((n, i) => n + i.note.value, 0n);
  const prep = prepareSpend({
    sk,
    inputs,
    tree,
    outputs: [{ to: addressOf(sk), value: total - amount - fee }],
    publicOut: amount,
    fee,
  });
  const tx: UnshieldTx = {
    kind: "unshield",
    to: to.address,
    amount,
    fee,
    ...spendTxFields(prep),
    proof: EMPTY,
  };
  const { proof } = proveSpend(prep, shieldedTxHash(tx, CHAIN_ID));
  return { stx: { tx: { ...tx, proof }, signature: EMPTY }, notes: prep.notes };
}
