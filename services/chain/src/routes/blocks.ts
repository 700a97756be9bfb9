import type { App } from "@p2pnode/kit";
import {
  BlockDetail,
  BlockJson,
  BlockPage,
  BlockVerdict,
  CHAIN_PAGE_MAX,
  ChainTip,
  CodedError,
  ErrorBody,
} from "@p2pnode/types";
import { z } from "zod";
import { blockDetail, findBlock, listBlocks } from "../queries.js";
import type { RouteDeps } from "./deps.js";

const tags = ["chain"];

/** A block JSON is at most ~2.5× its 2 MiB encoding; anything larger is refused before parsing. */
export const BLOCK_BODY_LIMIT_BYTES = 6 * 1024 * 1024;

const HashOrHeight = z
  .string()
  // abort: "zz" is told what the parameter takes, not also that it is beyond 2^53-1.
  .regex(/^([0-9a-f]{64}|0|[1-9][0-9]{0,15})$/, { message: "a block hash (64 hex) or a height", abort: true })
  .refine((s) => s.length === 64 || Number.isSafeInteger(Number(s)), "height beyond 2^53-1");

export function blockRoutes(app: App, d: RouteDeps): void {
  app.get(
    "/tip",
    { schema: { tags, description: "The best chain's tip", response: { 200: ChainTip } } },
    async () => d.chain.tip(),
  );

  app.get(
    "/blocks",
    {
      schema: {
        tags,
        description: `Main-chain blocks from height \`from\` upwards (default: the last \`limit\`), at most ${CHAIN_PAGE_MAX} a page`,
        querystring: z.object({
          from: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
          limit: z.coerce.number().int().min(1).max(CHAIN_PAGE_MAX).default(20),
        }),
        response: { 200: BlockPage, 400: ErrorBody },
      },
    },
    async (req) => listBlocks(d.chain, req.query.from, req.query.limit),
  );

  app.get(
    "/blocks/:hashOrHeight",
    {
      schema: {
        tags,
        description: "A block with its transactions, by hash (any branch) or height (main chain)",
        params: z.object({ hashOrHeight: HashOrHeight }),
        response: { 200: BlockDetail, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const m = findBlock(d.chain, req.params.hashOrHeight);
      if (!m) throw new CodedError("NOT_FOUND", `no block ${req.params.hashOrHeight}`);
      return blockDetail(d.chain, m);
    },
  );

  app.post(
    "/blocks",
    {
      bodyLimit: BLOCK_BODY_LIMIT_BYTES,
      schema: {
        tags,
        description:
          "Submit a block (tools and tests; miners use NATS). 4xx errors carry a RejectReason code",
        body: BlockJson,
        response: { 200: BlockVerdict, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (req) => d.intake.submitBlock(req.body, "local"),
  );
}
