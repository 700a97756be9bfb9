import { type DashboardAsset, loadDashboardAssets } from "@p2pnode/dashboard";
import type { ServiceContext } from "@p2pnode/kit";
import { CodedError, DashboardNetwork, DashboardNode, ErrorBody } from "@p2pnode/types";
import { z } from "zod";
import { crawlNetwork, KnownGateways } from "./dashboard-crawl.js";
import { DashboardFeed } from "./dashboard-feed.js";
import { nodeSnapshot } from "./dashboard-snapshot.js";
import type { Gateway } from "./gateway.js";

const tags = ["dashboard"];
/** Several tabs polling at once share one crawl. */
const NETWORK_CACHE_MS = 1_000;
const HOST_HEADER = /^[A-Za-z0-9.\-[\]:]{1,300}$/;

/**
 * The live dashboard (packages/dashboard): the page and its assets from memory, this node's
 * snapshot, the network followed outward from it, and the live feed. Read-only and public like
 * GET /peers, so the JSON routes allow any origin (a page on one node reads the others).
 */
export function dashboardRoutes(ctx: ServiceContext, g: Gateway, agent: string): void {
  const { app, bus, config } = ctx;
  const assets = loadDashboardAssets();
  const feed = new DashboardFeed(bus);
  const snapshot = () => nodeSnapshot(g, config, feed, agent);
  const known = new KnownGateways();
  let cached: { at: number; key: string; value: Promise<DashboardNetwork> } | undefined;

  const page = (name: string): DashboardAsset => {
    if (!assets)
      throw new CodedError(
        "NOT_READY",
        "the dashboard was not built (pnpm --filter @p2pnode/dashboard build)",
      );
    const a = assets.get(name);
    if (!a) throw new CodedError("NOT_FOUND", `no dashboard asset ${name}`);
    return a;
  };

  app.get(
    "/dashboard",
    { schema: { tags, description: "The live network dashboard (HTML)", hide: true } },
    async (_req, reply) => {
      const a = page("index.html");
      return reply.header("content-type", a.contentType).header("cache-control", "no-cache").send(a.body);
    },
  );

  app.get(
    "/dashboard/assets/:file",
    { schema: { tags, hide: true, params: z.object({ file: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/) }) } },
    async (req, reply) => {
      const a = page(`assets/${req.params.file}`);
      return reply.header("content-type", a.contentType).header("cache-control", "no-cache").send(a.body);
    },
  );

  app.get(
    "/dashboard/api/node",
    {
      schema: {
        tags,
        description:
          "This node for the dashboard: tip, sync, mempool, recent blocks, peers, bytes, DHT buckets",
        response: { 200: DashboardNode },
      },
    },
    async (_req, reply) => {
      reply.header("access-control-allow-origin", "*");
      return snapshot();
    },
  );

  app.get(
    "/dashboard/api/network",
    {
      schema: {
        tags,
        description:
          "Every node reachable by following gateways' peers outward from this one, and gateways reached before (both sides of a partition), with their snapshots",
        response: { 200: DashboardNetwork, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      reply.header("access-control-allow-origin", "*");
      const host = req.headers.host ?? "";
      const selfUrl = HOST_HEADER.test(host) ? `${req.protocol}://${host}` : "";
      const now = Date.now();
      if (!cached || cached.key !== selfUrl || now - cached.at > NETWORK_CACHE_MS) {
        const value = snapshot().then((s) => crawlNetwork(s, selfUrl, known));
        cached = { at: now, key: selfUrl, value };
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
  );

  app.get(
    "/dashboard/api/events",
    { schema: { tags, description: "Live feed (server-sent events): block, txs (per second), peer" } },
    async (req, reply) => {
      reply.hijack();
      feed.attach(reply.raw);
      req.raw.on("close", () => reply.raw.end());
    },
  );

  app.addHook("onClose", async () => feed.close());
}
