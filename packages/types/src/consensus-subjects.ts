import { z } from "zod";
import { Hash32Hex, SafeUint } from "./chain.js";
import { BlockVerdict, RejectReason } from "./chain-subjects.js";

import { endpoint, event } from "./subjects.js";

/*
 * The NATS subjects of Dolev-Strong networks (services/chain/src/consensus/README.md). Consensus
 * messages, blocks and certificates travel as their codec bytes, hex-encoded in the JSON
 * envelope like every other bus payload today.
 */

const Hex = z.string().regex(/^([0-9a-f]{2})*$/);
/** Bytes of the largest block and certificate, hex (2 chars a byte) with room to spare. */
const MAX_HEX = 2 * 2_200_000;
const BytesHex = Hex.max(MAX_HEX);

/** Why a consensus message or final block was refused: a consensus or chain reason, and whether only a faulty sender could have sent it. */
export const ConsensusVerdict = z.object({
  accepted: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** The sender misbehaved (CONSENSUS_FAULTS, or a forged block): the gateway scores the peer. */
  fault: z.boolean(),
});
export type ConsensusVerdict = z.infer<typeof ConsensusVerdict>;

export const FinalBlockHex = z.object({ block: BytesHex, certificate: Hex.max(200_000) });
export type FinalBlockHex = z.infer<typeof FinalBlockHex>;

/** Most recent slots GET /consensus/slots answers with. */
export const CONSENSUS_SLOTS_MAX = 64;

/**
 * One slot as this node saw it (GET /consensus/slots). `final`: a block with this slot's
 * certificate is in the chain; `decided`: this validator decided a block that is not final yet;
 * `bottom`: ⊥, no block — this validator decided ⊥, or (a node that is not a validator) the slot
 * ended a round ago with no block final; `open`: not over; `unknown`: before this node watched.
 */
export const ConsensusSlot = z.object({
  slot: SafeUint,
  leader: SafeUint,
  outcome: z.enum(["open", "decided", "final", "bottom", "unknown"]),
  /** Block hashes the leader signed in this slot, as seen here; two mean it equivocated. */
  values: z.array(Hash32Hex).max(2),
  /**
   * Each validator's verified signature in the round it first reached this node (round f + 2 is
   * the commit round): `relay` (the leader's proposal counts as its relay) on value 0 or 1, or `commit`.
   */
  signed: z
    .array(
      z.object({
        validator: SafeUint,
        round: SafeUint,
        kind: z.enum(["relay", "commit"]),
        value: z.number().int().min(0).max(1),
      }),
    )
    .max(4 * 1024),
  /** The final block of this slot, with its certificate's signers (from the chain's store). */
  block: z.object({ height: SafeUint, hash: Hash32Hex, signers: z.array(SafeUint).max(1024) }).nullable(),
});
export type ConsensusSlot = z.infer<typeof ConsensusSlot>;

export const ConsensusSlots = z.object({
  validators: SafeUint,
  f: SafeUint,
  roundMs: SafeUint,
  /** The slot running now. */
  current: SafeUint,
  /** Newest first. */
  slots: z.array(ConsensusSlot).max(CONSENSUS_SLOTS_MAX),
});
export type ConsensusSlots = z.infer<typeof ConsensusSlots>;

export const ConsensusSubjects = {
  messageSubmit: endpoint({
    service: "chain",
    subject: "chain.v1.consensus.submit",
    request: z.object({ message: BytesHex, peer: z.string().max(128) }),
    reply: ConsensusVerdict,
    description:
      "A consensus message from a peer, for the chain's Dolev-Strong machine (validators) or its checks (other nodes); the gateway floods it on only when accepted.",
  }),
  messageBroadcast: event({
    subject: "chain.v1.consensus.broadcast",
    payload: z.object({ message: BytesHex }),
    description:
      "A consensus message this validator sends to every peer (proposal, relay, commit, evidence).",
  }),
  finalSubmit: endpoint({
    service: "chain",
    subject: "chain.v1.final.submit",
    request: FinalBlockHex.extend({ peer: z.string().max(128) }),
    reply: BlockVerdict,
    description:
      "A block with its commit certificate from a peer; stored only if the certificate checks out. Errors carry a RejectReason code.",
    errors: RejectReason.options,
  }),
  finalGet: endpoint({
    service: "chain",
    subject: "chain.v1.final.get",
    request: z.object({ fromHeight: SafeUint, max: z.number().int().min(1).max(64) }),
    reply: z.object({ items: z.array(FinalBlockHex) }),
    description: "Main-chain blocks from a height on, each with its certificate (peers catching up).",
  }),
  blockFinalized: event({
    subject: "chain.v1.block.finalized",
    payload: z.object({
      hash: Hash32Hex,
      height: SafeUint,
      slot: SafeUint,
      signers: SafeUint,
      certificate: Hex.max(200_000),
    }),
    description: "A block and its certificate were committed: final on this node.",
  }),
  evidenceRecorded: event({
    subject: "chain.v1.evidence.recorded",
    payload: z.object({ slot: SafeUint, leader: SafeUint, evidence: Hex.max(1_000) }),
    description: "Equivocation evidence (two leader-signed blocks for one slot) was verified and stored.",
  }),
  slotsGet: endpoint({
    service: "chain",
    subject: "chain.v1.consensus.slots",
    request: z.object({ limit: z.number().int().min(1).max(64).default(16) }),
    reply: ConsensusSlots,
    description:
      "The recent slots as this node saw them: leader, values, which validator signed in which round, commit votes, outcome and the final block's certificate signers.",
  }),
  finalFetch: endpoint({
    service: "gateway",
    subject: "gateway.v1.final.fetch",
    request: z.object({
      peer: z.string().max(128),
      fromHeight: SafeUint,
      max: z.number().int().min(1).max(64),
    }),
    reply: z.object({ items: z.array(FinalBlockHex) }),
    description: "Asks one peer for final blocks from a height on (a dolev-strong node catching up).",
  }),
} as const;

/** GET /consensus on the chain service. */
export const ConsensusStatus = z.object({
  kind: z.enum(["pow", "dolev-strong"]),
  /** This node's validator index, or null when it only follows certificates. */
  self: SafeUint.nullable(),
  validators: z.array(
    z.object({
      index: SafeUint,
      publicKey: Hash32Hex,
      /** Last time (ms) a valid signature or message of this validator was seen, or null. */
      lastSeen: SafeUint.nullable(),
    }),
  ),
  f: SafeUint,
  roundMs: SafeUint,
  slotMs: SafeUint,
  slot: SafeUint,
  phase: z.string(),
  lastFinal: z.object({ height: SafeUint, hash: Hash32Hex, slot: SafeUint }).nullable(),
  stats: z.object({
    decided: SafeUint,
    bottom: SafeUint,
    finalized: SafeUint,
    signaturesVerified: SafeUint,
    rejected: z.record(z.string(), SafeUint),
  }),
});
export type ConsensusStatus = z.infer<typeof ConsensusStatus>;

export const EvidenceJson = z.object({
  slot: SafeUint,
  leader: SafeUint,
  first: z.object({ blockHash: Hash32Hex, signature: z.string().regex(/^[0-9a-f]{128}$/) }),
  second: z.object({ blockHash: Hash32Hex, signature: z.string().regex(/^[0-9a-f]{128}$/) }),
  hex: Hex,
  recordedAt: SafeUint,
});
export type EvidenceJson = z.infer<typeof EvidenceJson>;
