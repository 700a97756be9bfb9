import { fromHex } from "@p2pnode/codec";
import type { App } from "@p2pnode/kit";
import { digestToBytes } from "@p2pnode/shielded";
import { ErrorBody } from "@p2pnode/types";
import { z } from "zod";
import { loadShielded } from "../shielded-state.js";
import { hex } from "../store.js";
import type { RouteDeps } from "./deps.js";

export const ShieldedState = z.object({
  height: z.number().int(),
  tipHash: z.string(),
  /** Value held in notes, decimal: accounts' supply + pool = allocations + rewards. */
  pool: z.string(),
  /** Notes in the commitment tree (the next note's position). */
  notes: z.number().int(),
  nullifiers: z.number().int(),
  /** The recent roots a spend may anchor to, oldest first (hex, 32 bytes each). */
  roots: z.array(z.string()),
});

export const NullifierState = z.object({
  nullifier: z.string(),
  /** Published on the main chain at the tip: a spend of it is refused (NULLIFIER_SPENT). */
  spent: z.boolean(),
  /** The pending tx (either pool) that publishes it, or null. */
  pendingTx: z.string().nullable(),
});

/**
 * GET /shielded: the shielded pool's public state at the tip, read in one synchronous pass.
 * GET /shielded/nullifiers/:nf: whether a nullifier is spent on the main chain (it follows
 * reorgs: a spend on a branch that lost is unspent again) or published by a pending tx.
 */
export function shieldedRoutes(app: App, d: RouteDeps): void {
  app.get(
    "/shielded",
    {
      schema: {
        tags: ["chain"],
        description: "The shielded pool at the tip: its value, note count, nullifier count and recent roots",
        response: { 200: ShieldedState },
      },
    },
    async () => {
      const tip = d.chain.tip();
      const v = loadShielded(d.chain.store);
      return {
        height: tip.height,
        tipHash: tip.hash,
        pool: v.pool.toString(),
        notes: v.frontier.size,
        nullifiers: d.chain.store.nullifierCount(),
        roots: v.roots.list().map((r) => hex(digestToBytes(r))),
      };
    },
  );
  app.get(
    "/shielded/nullifiers/:nf",
    {
      schema: {
        tags: ["chain"],
        description:
          "Whether a nullifier is spent on the main chain at the tip, and which pending tx publishes it",
        params: z.object({ nf: z.string().regex(/^[0-9a-f]{64}$/, "nullifier: 32 bytes as lowercase hex") }),
        response: { 200: NullifierState, 400: ErrorBody },
      },
    },
    async (req) => {
      const { nf } = req.params;
      const c = d.chain;
      return {
        nullifier: nf,
        spent: c.store.hasNullifier(fromHex(nf, "nullifier", 32)),
        pendingTx: c.shieldedPool.spender(nf, (id) => c.isPending(id)) ?? null,
      };
    },
  );
}
