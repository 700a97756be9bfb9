import { MAX_SHIELDED_TX_BYTES } from "@p2pnode/codec";
import { type App, bodyFastPath } from "@p2pnode/kit";
import { transferFromBody } from "@p2pnode/rules";
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

/** A raw body is at most the largest encoded tx (a shielded one); more is 413 before it is read. */
export const RAW_TX_BODY_LIMIT_BYTES = MAX_SHIELDED_TX_BYTES;

/**
 * A transfer's body is read once, by rules' transferFromBody, instead of by the schema and then
 * again by txFromJson; any other body (another kind, or one the schema refuses) goes through the
 * schema as before, with its 400s.
 */
const transferBody = bodyFastPath(transferFromBody);

export function txRoutes(app: App, d: RouteDeps): void {
  app.post(
    "/txs",
    {
      bodyLimit: TX_BODY_LIMIT_BYTES,
      validatorCompiler: transferBody.validatorCompiler,
      schema: {
        tags,
        description: "Submit a signed transaction to the mempool. 4xx errors carry a RejectReason code",
        body: SignedTransactionJson,
        response: { 202: TxSubmitted, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const { id } = await d.intake.submitTx(req.body, transferBody.taken(req.body));
      return reply.status(202).send({ id, status: "pending" as const });
    },
  );

  rawTxRoute(app, (bytes) => d.intake.submitTxBytes(bytes));

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

/**
 * `POST /txs/raw`: the tx's codec bytes as the body, as geth's eth_sendRawTransaction and Bitcoin
 * Core's sendrawtransaction take a signed tx. A wallet that signs the encoding sends what it
 * signed, and the node admits it as it admits a peer's: decoded once, no JSON or schema parse,
 * the bytes kept and relayed as they came. Its scope takes application/octet-stream only (any
 * other type is 415); `submit` answers as POST /txs does. Full and light nodes both serve it.
 */
export function rawTxRoute(app: App, submit: (bytes: Uint8Array) => Promise<{ id: string }>): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "application/octet-stream",
      { parseAs: "buffer", bodyLimit: RAW_TX_BODY_LIMIT_BYTES },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      "/txs/raw",
      {
        bodyLimit: RAW_TX_BODY_LIMIT_BYTES,
        schema: {
          tags,
          consumes: ["application/octet-stream"],
          description:
            "Submit a signed transaction as its codec bytes (Content-Type: application/octet-stream; PROTOCOL.md's encoding). Answers as POST /txs; bytes that are not one canonical encoding are 400 DECODE_FAILED",
          response: {
            202: TxSubmitted,
            400: ErrorBody,
            409: ErrorBody,
            413: ErrorBody,
            415: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        // No body (and so no content type) never reaches the parser: say what is expected.
        if (!(req.body instanceof Uint8Array))
          throw new CodedError(
            "BAD_REQUEST",
            "expected the transaction's codec bytes as an application/octet-stream body",
          );
        // A copy of its own: the pool keeps these bytes, and a small body may be a view into a
        // shared allocation that would stay alive with it.
        const { id } = await submit(new Uint8Array(req.body));
        return reply.status(202).send({ id, status: "pending" as const });
      },
    );
  });
}
