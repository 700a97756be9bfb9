import { z } from "zod";
import { BlockHeaderJson, SafeUint } from "./chain.js";
import { AccountAtHeight, TxInclusionProof } from "./chain-read-subjects.js";
import { BlockBytes } from "./chain-subjects.js";
import { endpoint, event } from "./subjects.js";

/*
 * JSON shapes of the gateway (services/gateway) for REST and NATS. The wire protocol between
 * nodes is binary (packages/codec p2p) and documented in services/gateway/README.md.
 */

export const PeerIdHex = z.string().regex(/^[0-9a-f]{64}$/, "peer id: a 32-byte NodeId as lowercase hex");
export const PeerDirection = z.enum(["inbound", "outbound"]);

export const PeerInfo = z.object({
  id: PeerIdHex,
  /** Remote address as seen on the socket, host:port. */
  address: z.string(),
  direction: PeerDirection,
  /** Port the peer accepts P2P connections on (0: none). */
  listenPort: z.number().int().min(0).max(65535),
  /** Last measured ping round trip; null until the first pong. */
  latencyMs: z.number().nonnegative().nullable(),
  score: z.number(),
  height: SafeUint,
  bytesIn: SafeUint,
  bytesOut: SafeUint,
  connectedAt: SafeUint,
  agent: z.string(),
});
export type PeerInfo = z.infer<typeof PeerInfo>;
export const PeerList = z.object({ peers: z.array(PeerInfo) });

export const ScoreEvent = z.object({
  at: SafeUint,
  kind: z.string(),
  delta: z.number(),
  detail: z.string().optional(),
  /** Repeated rewards of one kind merged into this event (delta is their sum). */
  count: z.number().int().min(2).optional(),
});
export const PeerScoreReport = z.object({
  id: PeerIdHex,
  score: z.number(),
  connected: z.boolean(),
  banned: z.boolean(),
  /** Most recent first, capped; rewards are dropped before penalties when the cap is reached. */
  events: z.array(ScoreEvent),
});
export type PeerScoreReport = z.infer<typeof PeerScoreReport>;

export const NetworkGraph = z.object({
  self: PeerIdHex,
  nodes: z.array(z.object({ id: PeerIdHex, address: z.string().optional() })),
  /** Undirected edges; weight = latency in ms (1 when unknown), for shortest-path layouts. */
  edges: z.array(
    z.object({ from: PeerIdHex, to: PeerIdHex, latencyMs: z.number().nullable(), weight: z.number() }),
  ),
});
export type NetworkGraph = z.infer<typeof NetworkGraph>;

export const ConnectRequest = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
});

export const BanEntry = z.object({
  /** A NodeId (hex) or an IP address. */
  target: z.string(),
  kind: z.enum(["node", "ip"]),
  reason: z.string(),
  createdAt: SafeUint,
  expiresAt: SafeUint,
});
export type BanEntry = z.infer<typeof BanEntry>;
export const BanList = z.object({ bans: z.array(BanEntry) });
export const BanRequest = z.object({
  target: z.string().min(1).max(64),
  /** Default 24 h. */
  durationSeconds: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600)
    .optional(),
  reason: z.string().max(200).optional(),
});

export const AllowlistRequest = z.object({
  /** Only these NodeIds may be connected; null lifts the restriction. */
  nodeIds: z.array(PeerIdHex).max(1_000).nullable(),
});

const Counter = z.object({ count: SafeUint, bytes: SafeUint });
export const GatewayStats = z.object({
  peers: z.object({ inbound: SafeUint, outbound: SafeUint }),
  messages: z.record(z.string(), z.object({ sent: Counter, received: Counter })),
  handshakes: z.object({ ok: SafeUint, failed: z.record(z.string(), SafeUint) }),
  disconnects: z.record(z.string(), SafeUint),
  seenCacheSize: SafeUint,
});
export type GatewayStats = z.infer<typeof GatewayStats>;

export const PeerConnectedEvent = z.object({
  id: PeerIdHex,
  address: z.string(),
  direction: PeerDirection,
  height: SafeUint,
});
export const PeerDisconnectedEvent = z.object({
  id: PeerIdHex,
  address: z.string(),
  reason: z.string(),
});

/*
 * Sync over the gateway: the chain's SyncManager picks peers and asks the gateway to fetch from
 * one specific peer; the gateway correlates the answer (by peer and request) and times out.
 */
export const SyncPeer = z.object({
  id: PeerIdHex,
  /** Cumulative work the peer announced (handshake or status), decimal. */
  totalWork: z.string().regex(/^[0-9]+$/),
  height: SafeUint,
  latencyMs: z.number().nonnegative().nullable(),
});
export type SyncPeer = z.infer<typeof SyncPeer>;
export const SyncPeerList = z.object({ peers: z.array(SyncPeer) });
export const HeadersFetchRequest = z.object({
  peer: PeerIdHex,
  locator: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(64),
  max: z.number().int().min(1).max(2_000),
});
export const HeadersFetchReply = z.object({ headers: z.array(BlockHeaderJson) });
export const BlocksFetchRequest = z.object({
  peer: PeerIdHex,
  hashes: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .min(1)
    .max(128),
});
/**
 * What the peer sent, as codec bytes in the order asked; a withheld block is simply missing. The
 * answer stops before the block that would take it past the bus's sync budget (codec's
 * BUS_SYNC_ANSWER_BYTES): `next` is then the index in `hashes` to ask again from, else null.
 */
export const BlocksFetchReply = z.object({
  blocks: z.array(BlockBytes),
  next: SafeUint.nullable(),
});
export const PenalizeRequest = z.object({ peer: PeerIdHex, reason: z.string().max(200) });
/** A peer announced its tip (handshake, status, or a relayed block whose parent we lack). */
export const PeerTipEvent = z.object({
  peer: PeerIdHex,
  totalWork: z.string().regex(/^[0-9]+$/),
  height: SafeUint,
});

export const GatewaySyncSubjects = {
  syncPeers: endpoint({
    service: "gateway",
    subject: "gateway.v1.sync-peers.get",
    request: z.object({}).strict(),
    reply: SyncPeerList,
    description: "Connected peers with their announced work, height and latency, for sync.",
  }),
  headersFetch: endpoint({
    service: "gateway",
    subject: "gateway.v1.headers.fetch",
    request: HeadersFetchRequest,
    reply: HeadersFetchReply,
    description: "Sends get-headers to one peer and answers with its headers (timeout: TIMEOUT).",
  }),
  blocksFetch: endpoint({
    service: "gateway",
    subject: "gateway.v1.blocks.fetch",
    request: BlocksFetchRequest,
    reply: BlocksFetchReply,
    encoding: "cbor",
    description:
      "Sends get-blocks to one peer; answers with the blocks it sent before the timeout, cut by bytes (`next`).",
  }),
  peerPenalize: endpoint({
    service: "gateway",
    subject: "gateway.v1.peer.penalize",
    request: PenalizeRequest,
    reply: z.object({ score: z.number() }),
    description: "The chain found a peer's sync answer bad: feeds the peer's score (enough bans).",
  }),
  txProofFetch: endpoint({
    service: "gateway",
    subject: "gateway.v1.tx-proof.fetch",
    request: z.object({ txId: z.string().regex(/^[0-9a-f]{64}$/) }),
    reply: z.object({ proof: TxInclusionProof.nullable(), peer: PeerIdHex.nullable() }),
    description: "Asks connected peers (most work first) for a tx's inclusion proof; null if none has it.",
  }),
  accountFetch: endpoint({
    service: "gateway",
    subject: "gateway.v1.account.fetch",
    request: z.object({ address: z.string().regex(/^[0-9a-f]{40}$/) }),
    reply: z.object({ account: AccountAtHeight.nullable(), peer: PeerIdHex.nullable() }),
    description: "Asks the connected peer with the most work for an account (a light node's balance).",
  }),
  peerTip: event({
    subject: "gateway.v1.peer.tip",
    payload: PeerTipEvent,
    description: "A peer announced a tip; the chain's sync decides whether it is worth fetching.",
  }),
} as const;

/**
 * DESIGN.md §2 names these `p2p.v1.peer.*`, but the catalog's subject rule ([a-z]+ service
 * segment, and endpoints named after their service) admits neither the digit nor a service
 * other than "gateway"; they live under `gateway.v1` until that rule changes.
 */
export const GatewaySubjects = {
  ...GatewaySyncSubjects,
  peerConnected: event({
    subject: "gateway.v1.peer.connected",
    payload: PeerConnectedEvent,
    description: "A peer completed the handshake.",
  }),
  peerDisconnected: event({
    subject: "gateway.v1.peer.disconnected",
    payload: PeerDisconnectedEvent,
    description: "A peer connection closed, with the reason.",
  }),
  peerList: endpoint({
    service: "gateway",
    subject: "gateway.v1.peer.list",
    request: z.object({}).strict(),
    reply: PeerList,
    description: "The connected peers.",
  }),
} as const;
