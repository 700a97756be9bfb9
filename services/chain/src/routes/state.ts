import { createHash } from "node:crypto";
import type { App } from "@p2pnode/kit";
import { z } from "zod";
import type { RouteDeps } from "./deps.js";

export const StateDigest = z.object({
  height: z.number().int(),
  tipHash: z.string(),
  accounts: z.number().int(),
  /** Sum of all balances, decimal. */
  supply: z.string(),
  /** SHA-256 (hex) over `address:balance:nonce\n` of every account in address order. */
  digest: z.string(),
});

/**
 * GET /state/digest: one hash over all accounts at the tip, so two nodes (or a node before and
 * after a crash) can be compared through the public API. Read in one synchronous pass over the
 * store, so no commit lands between the tip and the accounts it describes.
 */
export function stateRoutes(app: App, d: RouteDeps): void {
  app.get(
    "/state/digest",
    {
      schema: {
        tags: ["chain"],
        description: "A SHA-256 digest over all accounts at the tip, their count and the total supply",
        response: { 200: StateDigest },
      },
    },
    async () => {
      const tip = d.chain.tip();
      const h = createHash("sha256");
      let accounts = 0;
      let supply = 0n;
      for (const { address, account } of d.chain.store.accounts()) {
        h.update(`${address}:${account.balance}:${account.nonce}\n`);
        accounts++;
        supply += account.balance;
      }
      return {
        height: tip.height,
        tipHash: tip.hash,
        accounts,
        supply: supply.toString(),
        digest: h.digest("hex"),
      };
    },
  );
}
