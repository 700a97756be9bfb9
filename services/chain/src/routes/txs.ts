import type { App } from "@p2pnode/kit";
import {
  AccountState,
  AddressHex,
  CHAIN_PAGE_MAX,
  CodedError,
  ErrorBody,
  Hash32Hex,
  MempoolPage,
  SignedTransactionJson,
  TxStatus,
  TxSubmitted,
} from "@p2pnode/types";
import { z } from "zod";
import { accountState, mempoolPage, txStatus } from "../queries.js";
import type { RouteDeps } from "./deps.js";

const tags = ["chain"];

/**
 * A signed transfer is ≤ 1 KiB encoded (~2.5 KiB as JSON); a shielded tx ≤ 68 KiB, ~2× as hex
 * JSON (~137 KiB): 160 KiB leaves room and no more.
 */
export const TX_BODY_LIMIT_BYTES = 160 * 1024;

export function txRoutes(app: App, d: RouteDeps): void {
  app.post(
    "/txs",
    {
      bodyLimit: TX_BODY_LIMIT_BYTES,
      schema: {
        tags,
        description: "Submit a signed transaction to the mempool. 4xx errors carry a RejectReason code",
        body: SignedTransactionJson,
        response: { 202: TxSubmitted, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { id } = await d.intake.submitTx(req.body);
      return reply.status(202).send({ id, status: "pending" as const });
    },
  );

  app.get(
    "/txs/:id",
    {
      schema: {
        tags,
        description:
          "A transaction: pending in the mempool, or mined with its block and Merkle inclusion proof",
        params: z.object({ id: Hash32Hex }),
        response: { 200: TxStatus, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const s = txStatus(d.chain, req.params.id);
      if (!s) throw new CodedError("NOT_FOUND", `no transaction ${req.params.id}`);
      return s;
    },
  );

  app.get(
    "/accounts/:address",
    {
      schema: {
        tags,
        description: "Balance and nonce at the tip, and the next nonce after pending txs",
        params: z.object({ address: AddressHex }),
        response: { 200: AccountState, 400: ErrorBody },
      },
    },
    async (req) => accountState(d.chain, req.params.address),
  );

  app.get(
    "/mempool",
    {
      schema: {
        tags,
        description: `Pending transactions by fee per byte, at most ${CHAIN_PAGE_MAX} a page`,
        querystring: z.object({
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          limit: z.coerce.number().int().min(1).max(CHAIN_PAGE_MAX).default(50),
        }),
        response: { 200: MempoolPage, 400: ErrorBody },
      },
    },
    async (req) => mempoolPage(d.chain, req.query.offset, req.query.limit),
  );
}
