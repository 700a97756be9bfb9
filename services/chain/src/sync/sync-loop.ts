import type { Bus, Logger } from "@p2pnode/kit";
import { GatewaySubjects, type SyncStatus } from "@p2pnode/types";
import type { Chain } from "../chain.js";
import type { ChainEvents } from "../intake.js";
import { natsSyncNetwork } from "./nats-network.js";
import { defaultSyncOptions, SyncManager } from "./sync-manager.js";

/** Catch-up check when nothing announced anything (a missed event, a peer that stays quiet). */
const PERIODIC_MS = 15_000;

/**
 * Runs the node's one sync path: a round on start, whenever a peer announces more work than
 * ours (gateway.v1.peer.tip: handshake, status, a relayed block whose parent we lack) and
 * periodically. Blocks applied by sync are not announced one by one (peers that sent them have
 * them); the new tip is announced once per round so the gateway updates its status and relays.
 */
export class SyncLoop {
  readonly manager: SyncManager;
  private timer: NodeJS.Timeout | undefined;
  private rounds = 0;
  private stopped = false;

  constructor(private readonly m: { chain: Chain; bus: Bus; events: ChainEvents; log: Logger }) {
    this.manager = new SyncManager(defaultSyncOptions, {
      chain: m.chain,
      net: natsSyncNetwork(m.bus, m.log),
      log: m.log,
    });
  }

  start(): void {
    this.m.bus.subscribe(GatewaySubjects.peerTip, (e) => {
      if (BigInt(e.totalWork) > this.m.chain.tipBlock.totalWork) this.kick();
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
        this.m.events.blockAccepted({
          hash: after.hash,
          height: after.height,
          status: "connected",
          txCount: 0,
        });
      })
      .catch((err: unknown) => this.m.log.warn({ err: (err as Error).message }, "sync round failed"));
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
