import type { Bus } from "@p2pnode/kit";
import { type BlockHeaderJson, GatewaySubjects } from "@p2pnode/types";
import type { SyncNetwork, SyncPeer } from "./sync-manager.js";

/** NATS waits a little longer than the gateway's own per-request timeout so its answer wins. */
const REQUEST_TIMEOUT_MS = 27_000;

/**
 * `SyncNetwork` over the gateway's NATS endpoints: the gateway sends get-headers / get-blocks to
 * the named peer and replies with its answer; this side only translates types.
 */
export function natsSyncNetwork(bus: Bus, log?: { debug(o: object, msg: string): void }): SyncNetwork {
  return {
    async peers(): Promise<SyncPeer[]> {
      try {
        const r = await bus.request(GatewaySubjects.syncPeers, {}, REQUEST_TIMEOUT_MS);
        return r.peers.map((p) => ({ ...p, totalWork: BigInt(p.totalWork) }));
      } catch (err) {
        // No gateway (yet): nobody to sync from.
        log?.debug({ err: (err as Error).message }, "sync: no peer list");
        return [];
      }
    },
    async headers(peer: string, locator: string[], max: number): Promise<BlockHeaderJson[]> {
      const r = await bus.request(
        GatewaySubjects.headersFetch,
        { peer, locator: locator.slice(0, 64), max },
        REQUEST_TIMEOUT_MS,
      );
      return r.headers;
    },
    async blocks(peer: string, hashes: string[]): Promise<Uint8Array[]> {
      // An answer is cut by bytes to fit the bus (`next`): ask again for the rest.
      const out: Uint8Array[] = [];
      let rest = hashes;
      for (;;) {
        const r = await bus.request(GatewaySubjects.blocksFetch, { peer, hashes: rest }, REQUEST_TIMEOUT_MS);
        out.push(...r.blocks);
        if (r.next === null || r.next <= 0 || r.next >= rest.length) return out;
        rest = rest.slice(r.next);
      }
    },
    penalize(peer: string, reason: string): void {
      bus.request(GatewaySubjects.peerPenalize, { peer, reason: reason.slice(0, 200) }).catch(() => {
        // The gateway is gone: nothing to score.
      });
    },
  };
}
