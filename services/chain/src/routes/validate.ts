import type { App } from "@p2pnode/kit";
import { ChainValidationReport, CodedError, ErrorBody } from "@p2pnode/types";
import { z } from "zod";
import type { RouteDeps } from "./deps.js";

/**
 * POST /validate: the seed's "validation request". It re-validates the stored chain from genesis
 * on a read snapshot; one run at a time, since it is the most expensive thing the API does.
 */
export function validateRoute(app: App, d: RouteDeps): void {
  let running = false;
  app.post(
    "/validate",
    {
      bodyLimit: 1024,
      schema: {
        tags: ["chain"],
        description:
          "Re-validate the whole stored chain from genesis (headers, proof of work or, in a dolev-strong network, certificates, targets, signatures, state) and check the store's consistency",
        querystring: z.object({ signatures: z.enum(["true", "false"]).default("true") }),
        response: { 200: ChainValidationReport, 409: ErrorBody },
      },
    },
    async (req) => {
      if (running) throw new CodedError("CONFLICT", "a validation is already running");
      running = true;
      try {
        return await d.validate(req.query.signatures === "true");
      } finally {
        running = false;
      }
    },
  );
}
