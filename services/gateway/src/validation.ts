import { decodeBlock, decodeSignedTransaction, equalBytes, type InvKind } from "@p2pnode/codec";
import { headerHash, meetsTarget, txId, txRoot, verifyTransaction } from "@p2pnode/crypto";

/**
 * The answer to a peer's validation request: the checks that need no chain state (encoding,
 * signatures, proof of work, Merkle root). State-dependent checks (nonces, balances, the parent)
 * stay with the chain service; a peer asking us gets an independent second opinion on the rest.
 */
export function statelessCheck(
  kind: InvKind,
  body: Uint8Array,
  chainId: string,
): { ok: boolean; reason: string } {
  try {
    if (kind === "tx") {
      const stx = decodeSignedTransaction(body);
      return verifyTransaction(stx, chainId)
        ? { ok: true, reason: "" }
        : { ok: false, reason: "INVALID_SIGNATURE" };
    }
    const block = decodeBlock(body);
    if (!meetsTarget(headerHash(block.header), block.header.target))
      return { ok: false, reason: "INVALID_POW" };
    if (!equalBytes(txRoot(block.txs.map((t) => txId(t))), block.header.txRoot)) {
      return { ok: false, reason: "BAD_MERKLE_ROOT" };
    }
    for (const t of block.txs)
      if (!verifyTransaction(t, chainId)) return { ok: false, reason: "INVALID_SIGNATURE" };
    return { ok: true, reason: "" };
  } catch {
    return { ok: false, reason: "DECODE_FAILED" };
  }
}
