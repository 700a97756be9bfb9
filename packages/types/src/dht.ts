import { z } from "zod";
import { Role } from "./roles.js";
import { endpoint, event } from "./subjects.js";

/*
 * JSON shapes of the DHT service (services/dht) for REST and NATS. Bytes are lowercase hex; values
 * travel as base64 because they are up to 64 KiB. The wire formats (datagrams, signed node records,
 * mutable records, file manifests) are binary and documented in services/dht/README.md.
 */

const hex = (bytes: number, what: string) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${what}: ${bytes} bytes as lowercase hex`);

export const DhtKeyHex = hex(32, "key");
export const DhtNodeIdHex = hex(32, "node id");
export const DhtPublicKeyHex = hex(32, "public key");
/** Largest value the DHT stores under one key (a file chunk or a manifest). */
export const DHT_MAX_VALUE_BYTES = 64 * 1024;
export const DhtBase64 = z
  .string()
  .max(Math.ceil(DHT_MAX_VALUE_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

/** A verified signed node record (DESIGN.md §5): who a node is and where to dial it. */
export const DhtNodeRecord = z.object({
  nodeId: DhtNodeIdHex,
  publicKey: DhtPublicKeyHex,
  /** Newer sequence number wins; the publisher bumps it whenever an address or port changes. */
  seq: z.number().int().nonnegative(),
  roles: z.array(Role).max(4),
  /** The address the node advertises ("0.0.0.0" until it knows one). */
  ip: z.string().max(45),
  udpPort: z.number().int().min(0).max(65535),
  /** P2P WebSocket port; 0 when the node does not accept connections. */
  wsPort: z.number().int().min(0).max(65535),
  /** The whole signed record as hex, so a receiver can verify it again. */
  signed: z
    .string()
    .regex(/^[0-9a-f]+$/)
    .max(512),
});
export type DhtNodeRecord = z.infer<typeof DhtNodeRecord>;

/** A routing-table contact: verified by a signed response from this address. */
export const DhtContact = z.object({
  nodeId: DhtNodeIdHex,
  host: z.string().max(45),
  port: z.number().int().min(0).max(65535),
  lastSeenMs: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  record: DhtNodeRecord.optional(),
});
export type DhtContact = z.infer<typeof DhtContact>;

export const DhtValueKind = z.enum(["content", "mutable"]);
export type DhtValueKind = z.infer<typeof DhtValueKind>;

export const DhtValueGetRequest = z.object({ key: DhtKeyHex });
export const DhtValue = z.object({
  key: DhtKeyHex,
  kind: DhtValueKind,
  /** The stored bytes (for a mutable record: its data, not the signed envelope). */
  value: DhtBase64,
  /** Mutable records only: publisher key, name and sequence number. */
  publisher: DhtPublicKeyHex.optional(),
  name: z.string().max(64).optional(),
  seq: z.number().int().nonnegative().optional(),
  /** Whether the value came from the local store or from the network. */
  source: z.enum(["local", "network"]),
});
export type DhtValue = z.infer<typeof DhtValue>;

/** How long a stored value lives before it must be republished: 1 minute to 7 days. */
export const DhtTtlSeconds = z
  .number()
  .int()
  .min(60)
  .max(7 * 24 * 3600);

export const DhtValuePutRequest = z.object({
  /** Content-addressed: the key is SHA-256 of these bytes. */
  value: DhtBase64,
  ttlSeconds: DhtTtlSeconds.optional(),
});
export const DhtPutResult = z.object({
  key: DhtKeyHex,
  /** Remote nodes that confirmed they hold the value (the local copy is not counted). */
  replicas: z.number().int().nonnegative(),
});
export type DhtPutResult = z.infer<typeof DhtPutResult>;

export const DhtLookupRequest = z.object({ nodeId: DhtNodeIdHex });
export const DhtLookupResult = z.object({
  target: DhtNodeIdHex,
  /** The target's own record when the lookup reached it. */
  found: DhtNodeRecord.nullable(),
  closest: z.array(DhtContact).max(20),
  hops: z.number().int().nonnegative(),
  queried: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type DhtLookupResult = z.infer<typeof DhtLookupResult>;

export const DhtPeerListRequest = z.object({ limit: z.number().int().min(1).max(1000).default(100) });
export const DhtPeerList = z.object({ records: z.array(DhtNodeRecord).max(1000) });

/** A DHT endpoint learned elsewhere (e.g. by the gateway's peer exchange); verified before use. */
export const DhtCandidate = z.object({
  host: z.string().min(1).max(253),
  udpPort: z.number().int().min(1).max(65535),
  nodeId: DhtNodeIdHex.optional(),
});
export type DhtCandidate = z.infer<typeof DhtCandidate>;

export const DhtSubjects = {
  valueGet: endpoint({
    service: "dht",
    subject: "dht.v1.value.get",
    request: DhtValueGetRequest,
    reply: DhtValue,
    description: "Get a value by key, locally or from the network; NOT_FOUND when nobody holds it.",
  }),
  valuePut: endpoint({
    service: "dht",
    subject: "dht.v1.value.put",
    request: DhtValuePutRequest,
    reply: DhtPutResult,
    description: "Store a content-addressed value on the k closest nodes to SHA-256(value).",
  }),
  nodeLookup: endpoint({
    service: "dht",
    subject: "dht.v1.node.lookup",
    request: DhtLookupRequest,
    reply: DhtLookupResult,
    description: "Iterative Kademlia lookup of a node id: its record if reachable, and the k closest.",
  }),
  peerList: endpoint({
    service: "dht",
    subject: "dht.v1.peer.list",
    request: DhtPeerListRequest,
    reply: DhtPeerList,
    description: "Verified node records of the routing table: connection candidates for the gateway.",
  }),
  peerFound: event({
    subject: "dht.v1.peer.found",
    payload: DhtNodeRecord,
    description: "A verified node record, new or with a higher sequence number: a connection candidate.",
  }),
  candidateOffered: event({
    subject: "dht.v1.candidate.offered",
    payload: DhtCandidate,
    description: "An address of a DHT node learned outside the DHT (peer exchange); the DHT pings it.",
  }),
} as const;
