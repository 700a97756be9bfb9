import { CodedError, type ErrorBody } from "@p2pnode/types";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import type { Logger } from "../log/index.js";

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "PAYLOAD_TOO_LARGE"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "UNSUPPORTED_MEDIA_TYPE"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "BAD_REQUEST"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "BAD_REQUEST"],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "BAD_REQUEST"],
};

/** Maps any error to the one shape of DESIGN.md §6; 5xx details never leave the process. */
export function toErrorReply(err: unknown, log: Logger): { status: number; body: ErrorBody } {
  if (err instanceof CodedError) return { status: err.status, body: err.toBody() };
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    return {
      status: 400,
      body: {
        error: {
          code: "VALIDATION_FAILED",
          message: `request ${fe.validationContext ?? ""} fails its schema`.replace("  ", " "),
          details: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        },
      },
    };
  }
  const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (known) return { status: known[0], body: { error: { code: known[1], message: fe.message } } };
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: "BAD_REQUEST", message: fe.message } } };
  }
  log.error({ err }, "unhandled error in request");
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error" } } };
}

export function errorHandler(log: Logger) {
  return (err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorReply(err, log);
    return reply.status(status).send(body);
  };
}
