import { z } from "zod";
import { NodeIdentity, NodeNetwork } from "./info.js";

/**
 * The NATS subject catalog: every subject of a node, its payload schemas, in one place.
 * Subjects are `<service>.v<N>.<noun>.<verb>`; servers and clients both use these declarations.
 */
export interface EndpointDef<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  kind: "endpoint";
  /** NATS service that serves it (shown by `$SRV.PING`). */
  service: string;
  subject: string;
  request: Req;
  reply: Rep;
  description: string;
}

export interface EventDef<P extends z.ZodType = z.ZodType> {
  kind: "event";
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
