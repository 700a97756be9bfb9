import { z } from "zod";

export const ServiceName = z.enum(["gateway", "chain", "miner", "dht", "zkp", "compute"]);
export type ServiceName = z.infer<typeof ServiceName>;

/** Start order; the supervisor stops them in reverse. */
export const ALL_SERVICES: readonly ServiceName[] = ServiceName.options;

export const Role = z.enum(["miner", "full", "light", "validator"]);
export type Role = z.infer<typeof Role>;

/** Which services each role runs (DESIGN.md §2). */
export const ROLE_SERVICES: Record<Role, readonly ServiceName[]> = {
  miner: ["chain", "gateway", "dht", "miner", "zkp", "compute"],
  full: ["chain", "gateway", "dht", "zkp", "compute"],
  light: ["chain", "gateway", "dht"],
  validator: ["chain", "gateway", "dht", "miner", "zkp", "compute"],
};
