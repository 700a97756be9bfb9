import { z } from "zod";
import { Hash32Hex, SafeUint } from "./chain.js";
import { ChainTip } from "./chain-subjects.js";
import { endpoint, event } from "./subjects.js";

/** Most ids one inventory reply carries: the mempool's own cap (5,000 txs) with room to spare. */
export const MAX_MEMPOOL_INVENTORY = 10_000;

/**
 * What keeps delivery between chain and gateway whole across restarts: core NATS events are
 * fire-and-forget, so the gateway reconciles by pulling the pool's inventory when either side
 * (re)starts and re-announces what stays unmined.
 */
export const ChainDeliverySubjects = {
  mempoolInventory: endpoint({
    service: "chain",
    subject: "chain.v1.mempool.inventory",
    request: z.object({
      /** Only txs that have waited at least this long (re-announcement of what stays unmined). */
      minAgeMs: SafeUint.optional(),
    }),
    reply: z.object({ ids: z.array(Hash32Hex).max(MAX_MEMPOOL_INVENTORY), tip: ChainTip }),
    description: "Ids of the txs in the mempool, oldest first, and the tip (reconciliation after a restart).",
  }),
  started: event({
    subject: "chain.v1.service.started",
    payload: ChainTip,
    description: "The chain service (re)started and serves its endpoints: subscribers reconcile.",
  }),
} as const;
