import type { App } from "@p2pnode/kit";
import { SyncStatus } from "@p2pnode/types";
import type { SyncLoop } from "../sync/sync-loop.js";

export function syncRoute(app: App, sync: SyncLoop): void {
  app.get(
    "/sync",
    {
      schema: {
        tags: ["chain"],
        description: "Headers-first sync progress: state, height / best known height, blocks/s",
        response: { 200: SyncStatus },
      },
    },
    async () => sync.status(),
  );
}
