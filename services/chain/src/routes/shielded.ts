import type { App } from "@p2pnode/kit";
import { digestToBytes } from "@p2pnode/shielded";
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

/** GET /shielded: the shielded pool's public state at the tip, read in one synchronous pass. */
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
}
