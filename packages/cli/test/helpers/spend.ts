import {
  encodeSignedTransaction,
  type ShieldedTransferTx,
  type SignedTransaction,
  signedTransactionToJson,
} from "@p2pnode/codec";
import { shieldedTxHash, txId } from "@p2pnode/crypto";
import { ChainClient } from "@p2pnode/sdk";
import {
  addressOf,
  prepareSpend,
  type SpendingKey,
  spendTxFields,
  verifySpend,
  wordsToBytes,
} from "@p2pnode/shielded";
import { type SignedTransactionJson, ZkpJob } from "@p2pnode/types";
import { pickNotes, scanBlocks, witnessJson } from "../../src/shielded/wallet.js";

/*
 * A shielded transfer built by the test as the CLI builds one (wallet scan, prepare, prove through
 * the node's zkp service), but proved twice and not submitted: the test decides what to send.
 */

export interface ProvedTwice {
  /** The transfer with each of the two proofs of the same spend. */
  txs: [SignedTransaction, SignedTransaction];
  /** Both proofs verified against the spend's statement (outside any node). */
  bothVerify: boolean;
}

async function proveOnce(zkpUrl: string, witness: unknown): Promise<Uint8Array> {
  const res = await fetch(`${zkpUrl}/spends`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ witness, wait: true }),
  });
  if (res.status !== 200) throw new TypeError(`zkp POST /spends: ${res.status} ${await res.text()}`);
  return new Uint8Array(Buffer.from(ZkpJob.parse(await res.json()).spendProof!.proof, "base64"));
}

/** `sk` pays `value` to `to` (fee `fee`, change to itself), proved twice by the zkp service. */
export async function proveTransferTwice(
  chainUrl: string,
  zkpUrl: string,
  sk: SpendingKey,
  to: SpendingKey,
  value: bigint,
  fee: bigint,
): Promise<ProvedTwice> {
  const chain = new ChainClient(chainUrl);
  const tip = await chain.tip();
  const blocks: SignedTransactionJson[][] = [];
  for (let h = 1; h <= tip.height; h++) blocks.push((await chain.block(h)).txs);
  const view = scanBlocks(sk, blocks);
  const inputs = pickNotes(view.notes, value + fee);
  const change = inputs.reduce((s, n) => s + n.note.value, 0n) - value - fee;
  const prep = prepareSpend({
    sk,
    inputs,
    tree: view.tree,
    outputs: [
      { to: addressOf(to), value },
      { to: addressOf(sk), value: change },
    ],
    fee,
  });
  const tx: ShieldedTransferTx = { kind: "shielded", fee, ...spendTxFields(prep), proof: new Uint8Array(0) };
  const txHash = shieldedTxHash(tx, tip.chainId);
  const witness = witnessJson(prep, txHash);
  const proofs = [await proveOnce(zkpUrl, witness), await proveOnce(zkpUrl, witness)];
  const statement = {
    root: prep.witness.root,
    nullifiers: prep.nullifiers,
    commitments: [prep.outputs[0].commitment, prep.outputs[1].commitment] as const,
    publicIn: 0n,
    publicOut: 0n,
    fee,
    txHash,
  };
  let bothVerify = true;
  for (const p of proofs) {
    try {
      verifySpend(statement, p);
    } catch {
      bothVerify = false;
    }
  }
  const signed = (proof: Uint8Array): SignedTransaction => ({
    tx: { ...tx, proof },
    signature: new Uint8Array(0),
  });
  return { txs: [signed(proofs[0]!), signed(proofs[1]!)], bothVerify };
}

/** A copy of a shielded transfer with some fields replaced (its proof kept unless given). */
export function altered(stx: SignedTransaction, change: Partial<ShieldedTransferTx>): SignedTransaction {
  return { ...stx, tx: { ...(stx.tx as ShieldedTransferTx), ...change } };
}

/** One proof byte flipped, in the middle of the proof. */
export function flipProofByte(stx: SignedTransaction): SignedTransaction {
  const proof = (stx.tx as ShieldedTransferTx).proof.slice();
  proof[proof.length >> 1]! ^= 0x01;
  return altered(stx, { proof });
}

export const idOf = (stx: SignedTransaction) => Buffer.from(txId(stx)).toString("hex");
export const jsonOf = (stx: SignedTransaction) => signedTransactionToJson(stx);
export const bytesOf = (stx: SignedTransaction) => encodeSignedTransaction(stx);
export const keyBytes = (sk: SpendingKey) => wordsToBytes(sk);
