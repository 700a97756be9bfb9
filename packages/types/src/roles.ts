import { z } from "zod";

export const ServiceName = z.enum(["gateway", "chain", "miner", "dht", "zkp", "compute"]);
export type ServiceName = z.infer<typeof ServiceName>;

/**
 * The file the supervisor starts for each service, relative to services/<name>/: the service's
 * dist/main.js and every module it imports in one file, made by `pnpm build`
 * (scripts/bundle.mjs), because loading ~950 modules one by one is most of a service's
 * start-up CPU.
 */
export const SERVICE_ENTRY = "dist/bundle.js";

/** Start order; the supervisor stops them in reverse. */
export const ALL_SERVICES: readonly ServiceName[] = ServiceName.options;

export const Role = z.enum(["miner", "full", "light", "validator"]);
export type Role = z.infer<typeof Role>;

/**
 * Which services each role runs (DESIGN.md §2). A full node runs the miner service too, with mining
 * off: an operator can turn it on over the admin API without restarting the node.
 */
export const ROLE_SERVICES: Record<Role, readonly ServiceName[]> = {
  miner: ["chain", "gateway", "dht", "miner", "zkp", "compute"],
  full: ["chain", "gateway", "dht", "miner", "zkp", "compute"],
  light: ["chain", "gateway", "dht"],
  validator: ["chain", "gateway", "dht", "miner", "zkp", "compute"],
};

/** Whether the miner service starts mining on its own in this role. */
export const MINES_BY_DEFAULT: Record<Role, boolean> = {
  miner: true,
  full: false,
  light: false,
  validator: true,
};
