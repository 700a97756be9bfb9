import { type App, requireAdmin } from "@p2pnode/kit";
import {
  CONSENSUS_SLOTS_MAX,
  CodedError,
  ConsensusSlots,
  ConsensusStatus,
  ErrorBody,
  EvidenceJson,
} from "@p2pnode/types";
import { z } from "zod";
import type { ConsensusNode } from "../finality/consensus-node.js";

const tags = ["consensus"];

/** GET /consensus, GET /consensus/slots, GET /consensus/evidence, and the devnet-only fault route of a dolev-strong node. */
export function consensusRoutes(
  app: App,
  node: ConsensusNode,
  o: { devnet: boolean; apiToken?: string },
): void {
  app.get(
    "/consensus",
    {
      schema: {
        tags,
        description:
          "Consensus kind, validators (index, key, last seen), f, Δ, the current slot and phase, the last final block",
        response: { 200: ConsensusStatus },
      },
    },
    async () => node.status(),
  );

  app.get(
    "/consensus/slots",
    {
      schema: {
        tags,
        description:
          "The newest slots as this node saw them, newest first: leader, values, each validator's verified signature in the round it first arrived (relay or commit), the outcome (final, decided, ⊥, open) and the final block's certificate signers",
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(CONSENSUS_SLOTS_MAX).default(16),
        }),
        response: { 200: ConsensusSlots, 400: ErrorBody },
      },
    },
    async (req) => node.slots(req.query.limit),
  );

  app.get(
    "/consensus/evidence",
    {
      schema: {
        tags,
        description:
          "Equivocation evidence this node verified: a leader's signatures on two blocks of one slot, newest first",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(100) }),
        response: { 200: z.object({ evidence: z.array(EvidenceJson) }), 400: ErrorBody },
      },
    },
    async (req) => ({ evidence: node.evidence(req.query.limit) }),
  );

  // Devnet only: makes this validator equivocate when it leads, for end-to-end tests of the others.
  app.post(
    "/admin/debug/consensus-fault",
    {
      preHandler: requireAdmin(o.apiToken),
      schema: {
        tags,
        description: "devnet only: make this validator propose two blocks in each slot it leads",
        body: z.object({ equivocate: z.boolean() }),
        response: {
          200: z.object({ equivocate: z.boolean() }),
          403: ErrorBody,
          400: ErrorBody,
          401: ErrorBody,
        },
      },
    },
    async (req) => {
      if (!o.devnet) {
        throw new CodedError("FORBIDDEN", "fault injection exists only on a devnet (P2PNODE_DEVNET=1)");
      }
      if (!node.ds) throw new CodedError("FORBIDDEN", "this node is not a validator");
      node.fault.equivocate = req.body.equivocate;
      return { ...node.fault };
    },
  );
}
