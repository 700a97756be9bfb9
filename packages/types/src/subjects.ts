import { z } from "zod";
import type { RejectReason } from "./chain-subjects.js";
import type { ConsensusRejectReason } from "./consensus.js";
import { NodeIdentity, NodeNetwork } from "./info.js";

/**
 * The NATS subject catalog: every subject of a node, its payload schemas, in one place.
 * Subjects are `<service>.v<N>.<noun>.<verb>`; servers and clients both use these declarations.
 */

/**
 * How a subject's payloads travel: `json` (text, readable with `nats sub`) or `cbor` (canonical
 * CBOR, packages/codec), whose byte-string fields carry blocks and transactions as their codec
 * bytes — never re-encoded as JSON or hex and back.
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
  description: string;
  /**
   * The domain codes an error answer may carry, besides the shared ErrorCode set every endpoint
   * may answer with. Only sets declared in this package can be named (DOMAIN_CODE_SETS, catalog.ts).
   */
  errors?: readonly DomainCode[];
}

/** Codes of the domain sets declared in this package, which an endpoint may list as its errors. */
export type DomainCode = RejectReason | ConsensusRejectReason;

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

/**
 * Codec bytes inside a `cbor` payload (a block, a transaction, a certificate), at most `maxBytes`:
 * the schema bounds the size, the codec's decoder (or a hash check) the content.
 */
export const bytesOf = (maxBytes: number, what: string) =>
  z
    .custom<Uint8Array>((v) => v instanceof Uint8Array, `${what}: expected bytes`)
    .refine((v) => v.length <= maxBytes, `${what}: more than ${maxBytes} bytes`);

export const NodeSubjects = {
  identityGet: endpoint({
    service: "node",
    subject: "node.v1.identity.get",
    request: Empty,
    reply: NodeIdentity,
    description: "The node's identity and role, answered by the supervisor.",
  }),
  networkGet: endpoint({
    service: "node",
    subject: "node.v1.network.get",
    request: Empty,
    reply: NodeNetwork,
    description:
      "The network this node is on (chain id, genesis block hash, genesis document), loaded and checked once by the supervisor.",
  }),
} as const;
