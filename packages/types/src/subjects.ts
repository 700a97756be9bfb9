import { z } from "zod";
import { NodeIdentity, NodeNetwork } from "./info.js";

/**
 * The NATS subject catalog: every subject of a node, its payload schemas, in one place.
 * Subjects are `<service>.v<N>.<noun>.<verb>`; servers and clients both use these declarations.
 */

/**
 * How a subject's payloads travel: `json` (text, readable with `nats sub`) or `cbor` (canonical
 * CBOR, packages/codec): blocks, transactions and headers travel as their codec bytes inside a
 * CBOR map, never re-encoded as JSON and back.
 */
export type PayloadEncoding = "json" | "cbor";

export interface EndpointDef<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  kind: "endpoint";
  /** Absent: json. */
  encoding?: PayloadEncoding;
  /** NATS service that serves it (shown by `$SRV.PING`). */
  service: string;
  subject: string;
  request: Req;
  reply: Rep;
  /**
   * The codes its error replies may carry besides the bus's own (BUS_ERROR_CODES), from its
   * domain's closed set. The bus logs a handler that answers with any other code.
   */
  errors: readonly string[];
  description: string;
}

/** Codes any request may end with, whatever the endpoint: the bus, its transport and a crash. */
export const BUS_ERROR_CODES = [
  "BAD_REQUEST",
  "VALIDATION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "NOT_READY",
  "UPSTREAM_UNAVAILABLE",
  "TIMEOUT",
  "INTERNAL",
] as const;

/** Whether `code` is one an endpoint may answer with: declared, or the bus's own. */
export function declaresError(def: Pick<EndpointDef, "errors">, code: string): boolean {
  return def.errors.includes(code) || (BUS_ERROR_CODES as readonly string[]).includes(code);
}

export interface EventDef<P extends z.ZodType = z.ZodType> {
  kind: "event";
  /** Absent: json. */
  encoding?: PayloadEncoding;
  subject: string;
  payload: P;
  description: string;
}

const SUBJECT = /^[a-z]+\.v[0-9]+\.[a-z-]+\.[a-z-]+$/;

export function endpoint<Req extends z.ZodType, Rep extends z.ZodType>(
  d: Omit<EndpointDef<Req, Rep>, "kind">,
): EndpointDef<Req, Rep> {
  if (!SUBJECT.test(d.subject))
    throw new TypeError(`subject ${d.subject} is not <service>.v<N>.<noun>.<verb>`);
  return { kind: "endpoint", ...d };
}

export function event<P extends z.ZodType>(d: Omit<EventDef<P>, "kind">): EventDef<P> {
  if (!SUBJECT.test(d.subject))
    throw new TypeError(`subject ${d.subject} is not <service>.v<N>.<noun>.<verb>`);
  return { kind: "event", ...d };
}

export const Empty = z.object({}).strict();

/** Codec bytes inside a `cbor` payload (a block, a transaction, a header): checked by their decoder. */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "expected bytes");

export const NodeSubjects = {
  identityGet: endpoint({
    service: "node",
    subject: "node.v1.identity.get",

    errors: [],
    request: Empty,
    reply: NodeIdentity,
    description: "The node's identity and role, answered by the supervisor.",
  }),
  networkGet: endpoint({
    service: "node",
    subject: "node.v1.network.get",

    errors: [],
    request: Empty,
    reply: NodeNetwork,
    description:
      "The network this node is on (chain id, genesis block hash, genesis document), loaded and checked once by the supervisor.",
  }),
} as const;
