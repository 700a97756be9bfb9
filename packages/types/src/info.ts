import { z } from "zod";
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

/** `GET /info` of every service. */
export const ServiceInfo = z.object({
  service: ServiceName,
  version: z.string(),
  nodeId: Hex32,
  role: Role,
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
