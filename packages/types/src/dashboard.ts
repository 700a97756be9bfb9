import { z } from "zod";
import { Hash32Hex, SafeUint } from "./chain.js";
import { TASK_LIST_MAX, TaskSummary } from "./compute.js";
import { ConsensusSlots, ConsensusStatus, EvidenceJson } from "./consensus-subjects.js";
import { PeerIdHex } from "./gateway.js";
import { Role } from "./roles.js";

/*
 * The live dashboard's JSON (GET /dashboard/api/*, packages/dashboard): one node's snapshot, the
 * network a gateway gathered by following its peers, and the events of its live feed. A gateway
 * reads other gateways' snapshots, so these schemas also validate what comes from the network.
 */

/** Recent slots and evidence items in a snapshot: enough for the heatmap, small for the crawl. */
export const DASHBOARD_SLOTS = 24;
export const DASHBOARD_EVIDENCE = 10;
export const DASHBOARD_TASKS = 20;

const Tally = z.object({ count: SafeUint, bytes: SafeUint });

export const DashboardBlock = z.object({
  hash: Hash32Hex,
  height: SafeUint,
  prevHash: Hash32Hex,
  /** When this node stored it (its clock, ms): the first-seen time propagation is measured from. */
  receivedAt: SafeUint,
});
export type DashboardBlock = z.infer<typeof DashboardBlock>;

export const DashboardPeer = z.object({
  id: PeerIdHex,
  address: z.string().max(300),
  direction: z.enum(["inbound", "outbound"]),
  latencyMs: z.number().nonnegative().nullable(),
  height: SafeUint,
  score: z.number(),
  bytesIn: SafeUint,
  bytesOut: SafeUint,
  /** Where this peer's gateway REST probably is (its P2P listen port − 1, as in every layout we ship). */
  apiUrl: z.string().max(300).nullable(),
});
export type DashboardPeer = z.infer<typeof DashboardPeer>;

export const DashboardNode = z.object({
  nodeId: PeerIdHex,
  role: Role,
  agent: z.string().max(200),
  /** The snapshot's time on this node's clock (ms). */
  at: SafeUint,
  tip: z.object({ height: SafeUint, hash: Hash32Hex, timestamp: SafeUint }).nullable(),
  sync: z.object({ state: z.string().max(20), syncing: z.boolean(), bestKnownHeight: SafeUint }).nullable(),
  mempool: z.object({ count: SafeUint, bytes: SafeUint }).nullable(),
  /** Transactions admitted to the mempool since the gateway started (a rate needs two snapshots). */
  txAccepted: SafeUint,
  /** The last main-chain blocks, oldest first. */
  blocks: z.array(DashboardBlock).max(200),
  peers: z.array(DashboardPeer).max(1000),
  bans: z
    .array(z.object({ target: z.string().max(64), reason: z.string().max(200), expiresAt: SafeUint }))
    .max(1000),
  messages: z.record(z.string().max(40), z.object({ sent: Tally, received: Tally })),
  dht: z
    .object({ size: SafeUint, buckets: z.array(z.object({ index: SafeUint, entries: SafeUint })).max(257) })
    .nullable(),
  /** A dolev-strong node's consensus (null on proof-of-work nodes and light nodes without it). */
  consensus: z
    .object({
      status: ConsensusStatus,
      slots: ConsensusSlots,
      /** Newest first. */
      evidence: z.array(EvidenceJson).max(DASHBOARD_EVIDENCE),
    })
    .nullable(),
  /** The compute service's sandbox pool and the workers its scheduler knows (null: no compute). */
  compute: z
    .object({
      sandbox: z.object({ threads: SafeUint, busy: SafeUint, queued: SafeUint }),
      workers: z
        .array(
          z.object({
            id: z.string().max(100),
            trusted: z.boolean(),
            valid: SafeUint,
            invalid: SafeUint,
            errors: SafeUint,
          }),
        )
        .max(1000),
      /** The newest tasks this node's scheduler runs or ran, with progress and workers. */
      tasks: z.array(TaskSummary).max(TASK_LIST_MAX).default([]),
    })
    .nullable(),
});
export type DashboardNode = z.infer<typeof DashboardNode>;

export const DashboardNetwork = z.object({
  self: PeerIdHex,
  /** Snapshots of every node reached, keyed by the URL it was reached at. */
  nodes: z.array(z.object({ url: z.string().max(300), node: DashboardNode })).max(1000),
  /** Nodes seen as peers whose dashboard could not be read (no route, other layout, timeout). */
  unreachable: z.array(z.object({ id: PeerIdHex, url: z.string().max(300).nullable(), error: z.string() })),
});
export type DashboardNetwork = z.infer<typeof DashboardNetwork>;

/** Events of GET /dashboard/api/events (server-sent events, `event:` names the kind). */
export const DashboardEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("block"),
    hash: Hash32Hex,
    height: SafeUint,
    status: z.string(),
    txCount: SafeUint,
    at: SafeUint,
  }),
  z.object({ kind: z.literal("txs"), count: SafeUint, at: SafeUint }),
  z.object({
    kind: z.literal("peer"),
    id: PeerIdHex,
    change: z.enum(["connected", "disconnected", "tip"]),
    height: SafeUint.optional(),
    at: SafeUint,
  }),
  /** A block became final with its certificate (dolev-strong). */
  z.object({ kind: z.literal("final"), slot: SafeUint, height: SafeUint, signers: SafeUint, at: SafeUint }),
  /** Equivocation evidence was recorded against a slot's leader. */
  z.object({ kind: z.literal("evidence"), slot: SafeUint, leader: SafeUint, at: SafeUint }),
  /** A compute task's progress changed. */
  z.object({
    kind: z.literal("task"),
    id: z.string().max(64),
    type: z.string().max(20),
    done: SafeUint,
    total: SafeUint,
    at: SafeUint,
  }),
]);
export type DashboardEvent = z.infer<typeof DashboardEvent>;
