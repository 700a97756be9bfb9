import type { Bus, Logger } from "@p2pnode/kit";
import { ChainDeliverySubjects, type ChainTip } from "@p2pnode/types";
import type { Peer } from "./peer.js";

export interface PoolInventory {
  ids: string[];
  tip: ChainTip;
}

export interface ReconcileModules {
  /** Ids of the chain's pool txs that waited at least `minAgeMs`, and its tip. */
  inventory(minAgeMs: number): Promise<PoolInventory>;
  /** Announces txs to one peer or to all, whatever they were told before. */
  reannounce(ids: readonly string[], to?: Peer): void;
  /** The chain's tip as read now: adopt it, and announce it when it is news. */
  adoptTip(tip: ChainTip): void;
  log: Pick<Logger, "debug" | "warn">;
}

/** Until the first reconciliation succeeds (the chain may start after us), it is retried this often. */
const RETRY_MS = 1_000;
const INVENTORY_TIMEOUT_MS = 5_000;

/**
 * Keeps the gateway's announcements whole although chain events are fire-and-forget: whatever the
 * chain accepted while this gateway was down (or while the chain restarted and its events went
 * nowhere) is pulled from the chain's pool and announced: at start, on the chain's `started`
 * event, to each newly connected peer (the whole pool, as geth does), and every `reannounceMs`
 * for txs that stay unmined that long.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly o: { reannounceMs: number },
    private readonly m: ReconcileModules,
  ) {}

  start(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reannounceUnmined(), this.o.reannounceMs);
    this.timer.unref();
  }

  /** Pulls the whole pool and the tip, announces them; retried until the chain answers. */
  async reconcile(): Promise<void> {
    clearTimeout(this.retry);
    try {
      const inv = await this.m.inventory(0);
      this.m.adoptTip(inv.tip);
      this.m.reannounce(inv.ids);
      this.m.log.debug({ txs: inv.ids.length, height: inv.tip.height }, "reconciled with the chain");
    } catch (err) {
      if (this.stopped) return;
      this.m.log.debug({ err: (err as Error).message }, "chain not reachable for reconciliation yet");
      this.retry = setTimeout(() => void this.reconcile(), RETRY_MS);
      this.retry.unref();
    }
  }

  /** A new peer learns the whole pool at once. */
  async onPeer(peer: Peer): Promise<void> {
    try {
      this.m.reannounce((await this.m.inventory(0)).ids, peer);
    } catch {
      // the chain is down: reconcile() announces the pool to every peer once it is back
    }
  }

  private async reannounceUnmined(): Promise<void> {
    try {
      const inv = await this.m.inventory(this.o.reannounceMs);
      this.m.adoptTip(inv.tip);
      this.m.reannounce(inv.ids);
    } catch {
      // the chain is down: its `started` event or the next tick catches up
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
  }
}

/** The chain's inventory endpoint over the node's NATS. */
export function natsInventory(bus: Bus): ReconcileModules["inventory"] {
  return (minAgeMs) =>
    bus.request(ChainDeliverySubjects.mempoolInventory, { minAgeMs }, INVENTORY_TIMEOUT_MS);
}
