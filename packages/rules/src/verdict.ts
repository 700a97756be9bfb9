import { decodeBlock, decodeSignedTransaction, type InvKind } from "@p2pnode/codec";
import { checkBlock, type PreparedBlock } from "./block.js";
import { decoding, RuleError } from "./errors.js";
import { type CheckedTx, checkTx } from "./tx.js";

/** The answer to a peer's validation request: `reason` is a RejectReason, empty when ok. */
export interface Verdict {
  ok: boolean;
  reason: string;
}

/** Decodes a transaction from its wire bytes and applies every stateless rule. */
export function checkTxBytes(body: Uint8Array, chainId: string): CheckedTx {
  return checkTx(
    decoding("transaction", () => decodeSignedTransaction(body)),
    { chainId, minFee: 0n },
  );
}

/** Decodes a block from its wire bytes and applies every stateless rule. */
export function checkBlockBytes(body: Uint8Array, chainId: string): PreparedBlock {
  return checkBlock(
    decoding("block", () => decodeBlock(body)),
    chainId,
  );
}

/**
 * The stateless verdict on a tx or block as bytes: the same rules, and the same codes, as the
 * chain applies before it looks at its state. A peer asking gets an independent second opinion.
 */
export function statelessVerdict(kind: InvKind, body: Uint8Array, chainId: string): Verdict {
  try {
    if (kind === "tx") checkTxBytes(body, chainId);
    else checkBlockBytes(body, chainId);
    return { ok: true, reason: "" };
  } catch (err) {
    // Anything else thrown on these bytes is still a decoding failure to the peer who sent them.
    return { ok: false, reason: err instanceof RuleError ? err.code : "DECODE_FAILED" };
  }
}
