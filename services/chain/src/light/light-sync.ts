import { headerFromJson } from "@p2pnode/codec";
import type { Logger } from "@p2pnode/kit";
import { ChainError } from "../errors.js";
import type { SyncNetwork } from "../sync/sync-manager.js";
import { pickBest } from "../sync/sync-manager.js";
import type { LightChain } from "./light-chain.js";

const HEADERS_PER_REQUEST = 2_000;

/**
 * Header-only sync for a light node: the peer with the most work (lowest latency among equals)
 * sends headers after our locator until it has no more; a bad header penalises it and the next
 * best is tried. One round at a time.
 */
export class LightSync {
  private running: Promise<void> | undefined;
  private bestKnownHeight = 0;
  private peer: string | null = null;
  private rate = { since: 0, headers: 0 };
  rounds = 0;
  private stopped = false;

  constructor(private readonly m: { light: LightChain; net: SyncNetwork; log: Logger }) {}

  get syncing(): boolean {
    return this.running !== undefined;
  }

  progress() {
    const secs = (Date.now() - this.rate.since) / 1000;
    return {
      syncing: this.syncing,
      state: this.syncing ? ("headers" as const) : ("idle" as const),
      height: this.m.light.height,
      bestKnownHeight: Math.max(this.bestKnownHeight, this.m.light.height),
      blocksPerSecond: this.syncing && secs > 0 ? Math.round((this.rate.headers / secs) * 100) / 100 : 0,
      peer: this.peer,
      rounds: this.rounds,
    };
  }

  /** No new rounds; resolves when the one in flight has ended (it stops at its next answer). */
  stop(): Promise<void> {
    this.stopped = true;
    return this.running ?? Promise.resolve();
  }

  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.round().finally(() => {
      this.running = undefined;
      this.peer = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const excluded = new Set<string>();
    const before = this.m.light.height;
    this.rate = { since: Date.now(), headers: 0 };
    for (;;) {
      const peers = (await this.m.net.peers()).filter((p) => !excluded.has(p.id));
      if (this.stopped) break;
      const best = pickBest(peers, this.m.light.totalWork);
      if (!best) break;
      this.peer = best.id;
      this.bestKnownHeight = Math.max(this.bestKnownHeight, best.height);
      try {
        for (;;) {
          const json = await this.m.net.headers(best.id, this.m.light.locator(), HEADERS_PER_REQUEST);
          if (this.stopped) return;
          const outcome = this.m.light.accept(json.map(headerFromJson));
          this.rate.headers += json.length;
          if (json.length < HEADERS_PER_REQUEST || outcome === "ignored") break;
        }
        if (this.m.light.totalWork < best.totalWork)
          throw new TypeError("headers carry less work than announced");
      } catch (err) {
        const reason = err instanceof ChainError ? `bad headers: ${err.code}` : (err as Error).message;
        this.m.net.penalize(best.id, reason);
        this.m.log.warn({ peer: best.id.slice(0, 16), reason }, "light sync: peer penalised");
        excluded.add(best.id);
      }
    }
    if (this.m.light.height !== before) this.rounds++;
  }
}
