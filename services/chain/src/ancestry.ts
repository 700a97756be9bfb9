import { equalBytes } from "@p2pnode/codec";
import { ChainFault } from "./errors.js";
import { expectedTarget, firstHeightOfWindow, isRetargetHeight, type RetargetOptions } from "./retarget.js";
import { type BlockMeta, type ChainStore, hex } from "./store.js";

/** Blocks whose timestamps make up the median-time-past (Bitcoin: 11). */
export const MEDIAN_TIME_SPAN = 11;

/**
 * Walking a block's ancestry in the store: the parent pointer on side branches, the main-chain
 * index as soon as the walk reaches the main chain (so deep lookups cost one query).
 */
export class Ancestry {
  constructor(private readonly store: ChainStore) {}

  parent(m: BlockMeta): BlockMeta {
    const p = this.store.blockMeta(m.prevHash);
    if (!p) throw new ChainFault("INTERNAL", `store: parent of ${hex(m.hash)} is missing`);
    return p;
  }

  isMain(m: BlockMeta): boolean {
    if (m.status !== "main") return false;
    const h = this.store.mainHashAt(m.height);
    return h !== undefined && equalBytes(h, m.hash);
  }

  /** The ancestor of `m` (or `m` itself) at `height` ≤ m.height. */
  at(m: BlockMeta, height: number): BlockMeta {
    let cur = m;
    while (cur.height > height) {
      if (this.isMain(cur)) {
        const hash = this.store.mainHashAt(height);
        const found = hash && this.store.blockMeta(hash);
        if (!found) throw new ChainFault("INTERNAL", `store: main chain has no block at ${height}`);
        return found;
      }
      cur = this.parent(cur);
    }
    return cur;
  }

  /** Where the branch ending in `m` meets the main chain, and the branch's blocks above it (oldest first). */
  forkPoint(m: BlockMeta): { fork: BlockMeta; branch: BlockMeta[] } {
    const branch: BlockMeta[] = [];
    let cur = m;
    while (!this.isMain(cur)) {
      branch.unshift(cur);
      cur = this.parent(cur);
    }
    return { fork: cur, branch };
  }

  medianTimePast(m: BlockMeta): number {
    const times: number[] = [];
    let cur: BlockMeta | undefined = m;
    while (cur && times.length < MEDIAN_TIME_SPAN) {
      times.push(cur.header.timestamp);
      cur = cur.height === 0 ? undefined : this.parent(cur);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }

  /** The target a child of `parent` must carry. */
  targetAfter(parent: BlockMeta, o: RetargetOptions): Uint8Array {
    const height = parent.height + 1;
    const first = isRetargetHeight(height, o.retargetWindow)
      ? this.at(parent, firstHeightOfWindow(height, o.retargetWindow))
      : undefined;
    return expectedTarget(
      {
        height,
        parentTarget: parent.header.target,
        parentTimestamp: parent.header.timestamp,
        first: first && { height: first.height, timestamp: first.header.timestamp },
      },
      o,
    );
  }
}
