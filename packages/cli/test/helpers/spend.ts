import {
  encodeSignedTransaction,
  type ShieldedTransferTx,
  type SignedTransaction,
  signedTransactionToJson,
} from "@p2pnode/codec";
import { shieldedTxHash, txId } from "@p2pnode/crypto";
import { ChainClient } from "@p2pnode/sdk";
import { addressOf, type SpendingKey, spendTxFields, verifySpend, wordsToBytes } from "@p2pnode/shielded";
import { ZkpJob } from "@p2pnode/types";
import { planSpend } from "../../src/shielded/plan.js";
import { witnessJson } from "../../src/shielded/wallet.js";

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
  const { chainId, prep } = await planSpend(new ChainClient(chainUrl), sk, value, fee, {
    pay: addressOf(to),
  });
  const tx: ShieldedTransferTx = { kind: "shielded", fee, ...spendTxFields(prep), proof: new Uint8Array(0) };
  const txHash = shieldedTxHash(tx, chainId);
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
