import { timingSafeEqual } from "node:crypto";
import { CodedError } from "@p2pnode/types";
import type { FastifyRequest } from "fastify";

/**
 * preHandler for routes that change what the node does: `Authorization: Bearer $P2PNODE_API_TOKEN`.
 * With no token configured such routes are refused outright rather than left open.
 */
export function requireAdmin(apiToken: string | undefined) {
  const expected = apiToken === undefined ? undefined : Buffer.from(apiToken);
  return async (req: FastifyRequest): Promise<void> => {
    if (expected === undefined) {
      throw new CodedError("FORBIDDEN", "admin routes are disabled: set P2PNODE_API_TOKEN to enable them");
    }
    const header = req.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CodedError("UNAUTHORIZED", "admin route: missing or wrong bearer token");
    }
  };
}
