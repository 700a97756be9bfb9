import type { Bus } from "@p2pnode/kit";
import { ChainDeliverySubjects, MAX_MEMPOOL_INVENTORY } from "@p2pnode/types";
import type { Chain } from "./chain.js";

/**
 * The chain's side of reconciliation: the pool's inventory on request, and a `started` event once
 * its endpoints serve, so a gateway that missed `tx.accepted`/`block.accepted` events while either
 * of them was down pulls what it missed (the events themselves are fire-and-forget).
 */
export async function serveDeliverySubjects(bus: Bus, chain: Chain): Promise<void> {
  await bus.serve(ChainDeliverySubjects.mempoolInventory, (req) => ({
    ids: chain.mempool.inventory(chain.clock(), req.minAgeMs ?? 0, MAX_MEMPOOL_INVENTORY),
    tip: chain.tip(),
  }));
  bus.publish(ChainDeliverySubjects.started, chain.tip());
}
