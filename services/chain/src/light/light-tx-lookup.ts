import { decodeBlock, signedTransactionToJson } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import type { Bus, Logger } from "@p2pnode/kit";
import {
  CodedError,
  GatewaySubjects,
  type SignedTransactionJson,
  type TxInclusionProof,
  type TxStatus,
} from "@p2pnode/types";
import type { LightChain } from "./light-chain.js";

/** How long a light lookup waits for its peers (a proof, then the block that holds the tx). */
const LOOKUP_TIMEOUT_MS = 30_000;

export interface LightTxLookupModules {
  light: LightChain;
  bus: Bus;
  log: Logger;
  /** Transactions this node submitted (pending until a peer proves them mined). */
  own: (id: string) => SignedTransactionJson | undefined;
}

/**
 * GET /txs/:id on a light node, answered as a full node answers it — for every kind, the
 * shielded ones included: `mined` once a full peer's inclusion proof verifies against our own
 * headers, `pending` for a transaction of ours not proven yet. The body of a mined transaction
 * we did not submit comes from the peer that proved it (the block it named) and is taken only
 * if it hashes to the id the proof put under our header's tx root: a peer can withhold it,
 * never substitute it. A light node has no mempool: another node's pending tx is not found.
 */
export async function lightTxStatus(m: LightTxLookupModules, id: string): Promise<TxStatus> {
  const { proof, peer } = await m.bus.request(GatewaySubjects.txProofFetch, { txId: id }, LOOKUP_TIMEOUT_MS);
  const own = m.own(id);
  if (proof && m.light.verifyTxProof(proof)) {
    const tx = own ?? (peer ? await bodyFromPeer(m, peer, proof) : undefined);
    if (!tx)
      throw new CodedError("NOT_FOUND", `light node: ${id} is proven mined, but no peer sent its body`);
    return {
      id,
      status: "mined",
      tx,
      block: { hash: proof.blockHash, height: proof.height, index: proof.index },
      confirmations: m.light.height - proof.height + 1,
      proof: {
        index: proof.index,
        size: proof.size,
        path: proof.path,
        root: Buffer.from(m.light.header(proof.height)!.header.txRoot).toString("hex"),
      },
    };
  }
  if (proof) m.log.warn({ tx: id, peer: peer?.slice(0, 16) }, "light: a peer's tx proof did not verify");
  if (!own) throw new CodedError("NOT_FOUND", `no transaction ${id}`);
  return { id, status: "pending", tx: own };
}

/** The proven tx's body from the block the peer named, or undefined if the peer did not send it. */
async function bodyFromPeer(
  m: LightTxLookupModules,
  peer: string,
  proof: TxInclusionProof,
): Promise<SignedTransactionJson | undefined> {
  const { blocks } = await m.bus
    .request(GatewaySubjects.blocksFetch, { peer, hashes: [proof.blockHash] }, LOOKUP_TIMEOUT_MS)
    .catch(() => ({ blocks: [] }));
  const bytes = blocks[0];
  if (!bytes) return undefined;
  try {
    const stx = decodeBlock(bytes).txs[proof.index];
    if (!stx) return undefined;
    const id = txId(stx);
    if (Buffer.from(id).toString("hex") !== proof.txId) {
      m.log.warn({ tx: proof.txId, peer: peer.slice(0, 16) }, "light: a peer sent another tx's body");
      return undefined;
    }
    return signedTransactionToJson(stx, id);
  } catch {
    return undefined; // not a transaction: the same as withheld
  }
}
