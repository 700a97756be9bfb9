import type { ServiceDefinition } from "@p2pnode/kit";
import { serveBus } from "./bus-edge.js";
import { startDht } from "./dht-service.js";
import { registerMetrics } from "./metrics.js";
import { registerRoutes } from "./routes.js";

export const VERSION = "0.1.0";

/**
 * The dht service: Kademlia over UDP (services/dht/README.md), value and file storage, REST routes,
 * NATS endpoints under dht.v1.*, and dht.v1.peer.found events for the gateway.
 */
export const dhtService: ServiceDefinition = {
  name: "dht",
  version: VERSION,
  setup: async (ctx) => {
    const dht = await startDht(ctx.config, ctx.network, ctx.log);
    ctx.readiness.dht = () => {
      const ok = dht.node.table.size > 0 || !dht.bootstrapper.configured;
      return { ok, detail: ok ? undefined : "no DHT contact yet: bootstrapping" };
    };
    registerMetrics(ctx.metrics, dht);
    registerRoutes(ctx.app, dht, ctx.config);
    await serveBus(ctx.bus, dht, ctx.log);
    return () => dht.stop();
  },
};
