import { z } from "zod";
import { Genesis } from "./genesis.js";
import { Role, ServiceName } from "./roles.js";

export const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, "expected 32 bytes as lowercase hex");

/** What the supervisor answers on `node.v1.identity.get`: who this node is. */
export const NodeIdentity = z.object({
  nodeId: Hex32,
  publicKey: Hex32,
  role: Role,
  version: z.string(),
  startedAt: z.number().int(),
});
export type NodeIdentity = z.infer<typeof NodeIdentity>;

/**
 * What the supervisor answers on `node.v1.network.get`: the network this node is on, derived once
 * from its genesis file (packages/rules `networkOf`). `genesisHash` is the genesis block's hash.
 */
export const NodeNetwork = z
  .object({
    chainId: Genesis.shape.chainId,
    genesisHash: Hex32,
    genesis: Genesis,
  })
  .refine((n) => n.chainId === n.genesis.chainId, "chainId must be the genesis document's chainId");
export type NodeNetwork = z.infer<typeof NodeNetwork>;

/** `GET /info` of every service. */
export const ServiceInfo = z.object({
  service: ServiceName,
  version: z.string(),
  nodeId: Hex32,
  role: Role,
  /** The network the service runs on (node.v1.network.get). */
  chainId: z.string(),
  genesisHash: Hex32,
  uptimeSeconds: z.number().nonnegative(),
  pid: z.number().int(),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

export const Health = z.object({ status: z.literal("ok") });
export const Readiness = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type Readiness = z.infer<typeof Readiness>;
