import type { Bus, Logger } from "@p2pnode/kit";
import { GatewaySubjects, type SyncStatus } from "@p2pnode/types";
import type { Chain } from "../chain.js";
import type { ChainIntake } from "../intake.js";
import { natsSyncNetwork } from "./nats-network.js";
import { defaultSyncOptions, SyncManager } from "./sync-manager.js";

/** Catch-up check when nothing announced anything (a missed event, a peer that stays quiet). */
const PERIODIC_MS = 15_000;

/**
 * Runs the node's one sync path: a round on start, whenever a peer announces more work than
 * ours (gateway.v1.peer.tip: handshake, status, a relayed block whose parent we lack) and
 * periodically. Blocks go through the chain's intake like any other (counted, announced with
 * their bytes), so the gateway's tip and status follow each one.
 */
export class SyncLoop {
  readonly manager: SyncManager;
  private timer: NodeJS.Timeout | undefined;
  private rounds = 0;
  private stopped = false;

  constructor(
    private readonly m: {
      chain: Chain;
      bus: Bus;
      intake: ChainIntake;
      log: Logger;
      /** The node is configured to find peers (bootnodes, DNS seeds or fixed peers). */
      hasPeersToFind: boolean;
    },
  ) {
    this.manager = new SyncManager(defaultSyncOptions, {
      chain: m.chain,
      intake: m.intake,
      net: natsSyncNetwork(m.bus, m.log),
      log: m.log,
    });
  }

  start(): void {
    this.m.bus.subscribe(GatewaySubjects.peerTip, (e) => {
      // Until caught up, any peer's tip starts a round: one that ends level with it is what
      // lets the node hand out block templates (see `notMiningYet`).
      if (!this.manager.caughtUp || BigInt(e.totalWork) > this.m.chain.tipBlock.totalWork) this.kick();
    });
    this.timer = setInterval(() => this.kick(), PERIODIC_MS);
    this.timer.unref();
    this.kick();
  }

  /** Starts a round unless one runs (the running round re-reads peers before it ends). */
  kick(): void {
    if (this.stopped || this.manager.syncing) return;
    const before = this.m.chain.tip();
    this.manager
      .sync()
      .then(() => {
        const after = this.m.chain.tip();
        if (after.hash === before.hash || this.stopped) return;
        this.rounds++;
        this.m.log.info({ from: before.height, to: after.height }, "sync round applied blocks");
      })
      .catch((err: unknown) => this.m.log.warn({ err: (err as Error).message }, "sync round failed"));
  }

  /**
   * Why no block template may be built yet, or undefined. A node that has peers to find mines only
   * after it has seen their chain: mining from genesis while the gateway still connects makes a
   * private branch that the network's chain must then reorg away (deeper than the reorg limit
   * when blocks are cheap). Bitcoin Core's getblocktemplate refuses the same way while it is not
   * connected or still in initial block download. A node with no peers to find mines at once.
   */
  notMiningYet(): string | undefined {
    if (!this.m.hasPeersToFind || this.manager.caughtUp) return undefined;
    return this.manager.syncing
      ? "catching up with peers before mining (initial sync)"
      : "waiting for a peer before mining: none connected yet";
  }

  status(): SyncStatus {
    const p = this.manager.progress();
    return {
      syncing: p.state !== "idle",
      state: p.state,
      height: p.height,
      bestKnownHeight: p.bestKnownHeight,
      blocksPerSecond: Math.round(p.blocksPerSecond * 100) / 100,
      peer: p.peer,
      rounds: this.rounds,
    };
  }

  stop(): void {
    this.stopped = true;
    this.manager.stop();
    clearInterval(this.timer);
  }
}
