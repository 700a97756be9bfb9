import type { ServiceDefinition } from "@p2pnode/kit";

export const VERSION = "0.1.0";

/** The chain service: REST routes and NATS endpoints arrive with its issue; the runtime gives /info, /health, /ready. */
export const chainService: ServiceDefinition = {
  name: "chain",
  version: VERSION,
  setup: async () => undefined,
};
