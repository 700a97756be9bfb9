import { type BlockHeader, equalBytes } from "@p2pnode/codec";
import { checkNotInFuture } from "@p2pnode/rules";
import { reject } from "./errors.js";
import { hex } from "./store.js";

/*
 * The header rules that need the chain (its parent, the retarget, the median time past). The
 * rules that need no state live in packages/rules, shared with the gateway.
 */

export interface BlockRuleOptions {
  chainId: string;
  /** How far ahead of this node's clock a timestamp may be (clock skew between honest nodes). */
  maxFutureDriftMs: number;
}

export interface HeaderContext {
  parentHeight: number;
  expectedTarget: Uint8Array;
  /** Median timestamp of the last 11 blocks: a new block must be later (Bitcoin's rule). */
  medianTimePast: number;
  now: number;
}

export function checkHeaderContext(h: BlockHeader, ctx: HeaderContext, o: BlockRuleOptions): void {
  if (h.height !== ctx.parentHeight + 1) {
    throw reject("BAD_HEIGHT", `height ${h.height} does not follow its parent's ${ctx.parentHeight}`);
  }
  if (!equalBytes(h.target, ctx.expectedTarget)) {
    throw reject("BAD_TARGET", `target ${hex(h.target)} is not the expected ${hex(ctx.expectedTarget)}`, {
      expected: hex(ctx.expectedTarget),
    });
  }
  if (h.timestamp <= ctx.medianTimePast) {
    throw reject("BAD_TIMESTAMP", `timestamp ${h.timestamp} is not after the median of the last 11 blocks`, {
      medianTimePast: ctx.medianTimePast,
    });
  }
  checkNotInFuture(h, ctx.now, o.maxFutureDriftMs);
}
