import { decodeBlock } from "@p2pnode/codec";
import { merkleProof, txId } from "@p2pnode/crypto";
import type { Chain } from "../chain.js";
import type { TxInclusionProof } from "../light/light-chain.js";
import { hex, unhex } from "../store.js";

/** A full node's answer to a light node: where a confirmed tx sits and its Merkle audit path. */
export function txInclusionProof(chain: Chain, txIdHex: string): TxInclusionProof | undefined {
  const loc = chain.store.txLocation(unhex(txIdHex));
  const meta = loc && chain.store.blockMeta(loc.blockHash);
  const body = loc && chain.store.blockBody(loc.blockHash);
  if (!loc || !meta || !body) return undefined;
  const ids = decodeBlock(body).txs.map((t) => txId(t));
  const p = merkleProof(ids, loc.index);
  return {
    txId: txIdHex,
    blockHash: hex(meta.hash),
    height: meta.height,
    index: p.index,
    size: p.size,
    path: p.path.map(hex),
  };
}
