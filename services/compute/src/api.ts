import type { ServiceDefinition } from "@p2pnode/kit";

export const VERSION = "0.1.0";

/** The compute service: REST routes and NATS endpoints arrive with its issue; the runtime gives /info, /health, /ready. */
export const computeService: ServiceDefinition = {
  name: "compute",
  version: VERSION,
  setup: async () => undefined,
};
