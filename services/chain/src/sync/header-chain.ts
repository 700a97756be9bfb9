import type { BlockHeader } from "@p2pnode/codec";
import { equalBytes } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { checkPow } from "@p2pnode/rules";
import { MEDIAN_TIME_SPAN } from "../ancestry.js";
import { checkHeaderContext } from "../block-rules.js";
import type { Chain } from "../chain.js";
import { reject } from "../errors.js";
import { expectedTarget, firstHeightOfWindow, isRetargetHeight } from "../retarget.js";
import { type BlockMeta, hex } from "../store.js";
import { workOf } from "../work.js";

/** A header checked by `HeaderChain` but whose body is not stored yet. */
export interface PendingHeader {
  header: BlockHeader;
  hash: Uint8Array;
  hashHex: string;
  totalWork: bigint;
}

/**
 * Headers-first sync: a run of headers extending a stored block, each checked for linkage,
 * proof of work, height, the retarget rule and timestamps (the same rules as a full block's
 * header) before any body is fetched. Memory is one small record per header (bounded by
 * `maxHeaders`).
 */
export class HeaderChain {
  private anchor: BlockMeta | undefined;
  private readonly pending: PendingHeader[] = [];

  constructor(
    private readonly chain: Chain,
    private readonly maxHeaders = 200_000,
  ) {}

  get headers(): readonly PendingHeader[] {
    return this.pending;
  }

  get anchorMeta(): BlockMeta | undefined {
    return this.anchor;
  }

  /** Work of the chain these headers lead to (the anchor's if none). */
  get totalWork(): bigint {
    return this.pending.at(-1)?.totalWork ?? this.anchor?.totalWork ?? 0n;
  }

  get tipHeight(): number {
    return this.pending.at(-1)?.header.height ?? this.anchor?.height ?? 0;
  }

  /** Hash of the last header, to ask a peer for the next ones. */
  get lastHashHex(): string | undefined {
    return this.pending.at(-1)?.hashHex ?? (this.anchor && hex(this.anchor.hash));
  }

  /**
   * Appends headers in order; throws a ChainError at the first that breaks a rule (those before
   * it stay). The first header must extend the last one held, or any stored valid block.
   */
  append(headers: readonly BlockHeader[]): void {
    for (const h of headers) this.appendOne(h);
  }

  private appendOne(h: BlockHeader): void {
    const last = this.pending.at(-1);
    if (!last || !equalBytes(h.prevHash, last.hash)) {
      const stored = this.chain.store.blockMeta(h.prevHash);
      if (!stored || stored.status === "invalid") {
        throw reject("PREV_HASH_MISMATCH", `header ${h.height} does not extend a known block`, {
          prevHash: hex(h.prevHash),
        });
      }
      this.anchor = stored;
      this.pending.length = 0;
    }
    if (this.pending.length >= this.maxHeaders) {
      throw reject("OVERSIZE", `more than ${this.maxHeaders} headers pending; fetch bodies first`);
    }
    // A dolev-strong header is sealed by its certificate (checked by whoever hands it in), not by work.
    const hash = this.chain.finality ? headerHash(h) : checkPow(h);
    const parentHeight = h.height - 1;
    const parent = this.headerAt(parentHeight);
    if (parent === undefined || h.height !== this.tipHeight + 1) {
      throw reject("BAD_HEIGHT", `header height ${h.height} does not follow ${this.tipHeight}`);
    }
    const window = this.chain.retarget.retargetWindow;
    const first = isRetargetHeight(h.height, window)
      ? this.headerAt(firstHeightOfWindow(h.height, window))
      : undefined;
    checkHeaderContext(
      h,
      {
        parentHeight,
        expectedTarget: expectedTarget(
          {
            height: h.height,
            parentTarget: parent.target,
            parentTimestamp: parent.timestamp,
            first: first && { height: first.height, timestamp: first.timestamp },
          },
          this.chain.retarget,
        ),
        medianTimePast: this.medianTimePast(parentHeight),
        now: this.chain.clock(),
      },
      { chainId: this.chain.chainId, maxFutureDriftMs: this.chain.o.maxFutureDriftMs },
    );
    this.pending.push({ header: h, hash, hashHex: hex(hash), totalWork: this.totalWork + workOf(h.target) });
  }

  /** The header at `height` on this run: pending above the anchor, stored ancestry at or below it. */
  private headerAt(height: number): BlockHeader | undefined {
    const a = this.anchor;
    if (!a || height < 0) return undefined;
    if (height > a.height) return this.pending[height - a.height - 1]?.header;
    return this.chain.ancestry.at(a, height).header;
  }

  private medianTimePast(parentHeight: number): number {
    const times: number[] = [];
    for (let h = parentHeight; h >= 0 && times.length < MEDIAN_TIME_SPAN; h--)
      times.push(this.headerAt(h)!.timestamp);
    times.sort((x, y) => x - y);
    return times[Math.floor(times.length / 2)]!;
  }

  /** Drops headers whose blocks are now stored, keeping the run anchored at the newest stored one. */
  advanceTo(stored: BlockMeta): void {
    const i = this.pending.findIndex((p) => equalBytes(p.hash, stored.hash));
    if (i < 0) return;
    this.pending.splice(0, i + 1);
    this.anchor = stored;
  }

  reset(): void {
    this.anchor = undefined;
    this.pending.length = 0;
  }
}
