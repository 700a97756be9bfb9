import { bigIntToTarget, MAX_TARGET, targetToBigInt } from "./work.js";

export interface RetargetOptions {
  /** Wanted mean time between blocks (genesis consensus.targetBlockTimeMs). */
  targetBlockTimeMs: number;
  /** The target changes only at heights that are multiples of this (genesis consensus.retargetWindow). */
  retargetWindow: number;
  /** Largest change per retarget, both ways (Bitcoin's ×4/÷4): bounds what skewed timestamps can do. */
  maxFactor: number;
}

export const defaultRetargetOptions = { maxFactor: 4 } as const;

/** What retargeting needs to know of the chain the new block extends. */
export interface RetargetContext {
  /** Height of the block being built or checked. */
  height: number;
  parentTarget: Uint8Array;
  parentTimestamp: number;
  /** Timestamp and height of the window's first block: `firstHeightOfWindow(height, window)`. */
  first: { height: number; timestamp: number } | undefined;
}

export function isRetargetHeight(height: number, window: number): boolean {
  return height > 0 && height % window === 0;
}

/**
 * The ancestor whose timestamp opens the measured span. Retargeting at height h measures from
 * h-1-window (or genesis) to h-1, i.e. `window` intervals once the chain is long enough — not
 * Bitcoin's window-1 (its off-by-one).
 */
export function firstHeightOfWindow(height: number, window: number): number {
  return Math.max(0, height - 1 - window);
}

/**
 * The target a block at `ctx.height` must carry: the parent's, except at retarget heights where
 * it is scaled by actual / expected time of the last window, clamped to [1/maxFactor, maxFactor].
 * Blocks that came too fast give a smaller (harder) target, too slow a larger one.
 */
export function expectedTarget(ctx: RetargetContext, o: RetargetOptions): Uint8Array {
  if (!isRetargetHeight(ctx.height, o.retargetWindow) || !ctx.first) return ctx.parentTarget;
  const intervals = ctx.height - 1 - ctx.first.height;
  if (intervals <= 0) return ctx.parentTarget;
  const expected = BigInt(intervals) * BigInt(o.targetBlockTimeMs);
  let actual = BigInt(Math.max(0, ctx.parentTimestamp - ctx.first.timestamp));
  const factor = BigInt(o.maxFactor);
  if (actual < expected / factor) actual = expected / factor;
  if (actual > expected * factor) actual = expected * factor;
  const next = (targetToBigInt(ctx.parentTarget) * actual) / expected;
  return bigIntToTarget(next > MAX_TARGET ? MAX_TARGET : next);
}
