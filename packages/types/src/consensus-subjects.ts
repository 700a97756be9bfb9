import { z } from "zod";
import { Hash32Hex, SafeUint } from "./chain.js";
import { BlockBytes, BlockVerdict, CertificateBytes, RejectReason } from "./chain-subjects.js";

import { bytesOf, endpoint, event } from "./subjects.js";

/*
 * The NATS subjects of Dolev-Strong networks (services/chain/src/consensus/README.md). Consensus
 * messages, blocks, certificates and evidence travel as their codec bytes in canonical CBOR
 * payloads (`encoding: "cbor"`), as on chain.v1.block.submit: the gateway hands a peer's bytes
 * on as they came and the chain decodes them once (a block that does not decode: DECODE_FAILED;
 * a consensus message: the consensus reason, MALFORMED). A JSON body is refused (BAD_REQUEST).
 */

const Hex = z.string().regex(/^([0-9a-f]{2})*$/);

/**
 * A consensus message's codec bytes (kind byte and body): a proposal carries a block, so the
 * coarse bound is a block's; the gateway checks the tight one (dsMaxBodyBytes) before it asks.
 */
const ConsensusMessageBytes = bytesOf(4 * 1024 * 1024, "consensus message");
/** Equivocation evidence's codec bytes (two leader signatures on two block hashes: ~200 bytes). */
const EvidenceBytes = bytesOf(1_000, "evidence");

/** Why a consensus message or final block was refused: a consensus or chain reason, and whether only a faulty sender could have sent it. */
export const ConsensusVerdict = z.object({
  accepted: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** The sender misbehaved (CONSENSUS_FAULTS, or a forged block): the gateway scores the peer. */
  fault: z.boolean(),
});
export type ConsensusVerdict = z.infer<typeof ConsensusVerdict>;

/** A block and the commit certificate that made it final, as codec bytes. */
export const FinalBlock = z.object({ block: BlockBytes, certificate: CertificateBytes });
export type FinalBlock = z.infer<typeof FinalBlock>;

/** Most blocks one final.get or final.fetch asks for (codec's MAX_FINAL_BLOCKS, a getFinal's cap). */
export const FINAL_GET_MAX = 64;

/**
 * A final.get answer: main-chain blocks from the height asked, each with its certificate. It stops
 * before the block that would take it past the bus's sync budget (codec's BUS_SYNC_ANSWER_BYTES,
 * block and certificate bytes counted; the first block always goes): `next` is then the height
 * to ask again from, else null (all asked for, or no more final blocks).
 */
export const FinalGetReply = z.object({
  items: z.array(FinalBlock).max(FINAL_GET_MAX),
  next: SafeUint.nullable(),
});
export type FinalGetReply = z.infer<typeof FinalGetReply>;

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
    request: z.object({ message: ConsensusMessageBytes, peer: z.string().max(128) }),
    reply: ConsensusVerdict,
    encoding: "cbor",
    description:
      "A consensus message from a peer, for the chain's Dolev-Strong machine (validators) or its checks (other nodes); the gateway floods it on only when accepted.",
  }),
  messageBroadcast: event({
    subject: "chain.v1.consensus.broadcast",
    payload: z.object({ message: ConsensusMessageBytes }),
    encoding: "cbor",
    description:
      "A consensus message this validator sends to every peer (proposal, relay, commit, evidence).",
  }),
  finalSubmit: endpoint({
    service: "chain",
    subject: "chain.v1.final.submit",
    request: FinalBlock.extend({ peer: z.string().max(128) }),
    reply: BlockVerdict,
    encoding: "cbor",
    description:
      "A block with its commit certificate from a peer; stored only if the certificate checks out. Errors carry a RejectReason code.",
    errors: RejectReason.options,
  }),
  finalGet: endpoint({
    service: "chain",
    subject: "chain.v1.final.get",
    request: z.object({ fromHeight: SafeUint, max: z.number().int().min(1).max(FINAL_GET_MAX) }),
    reply: FinalGetReply,
    encoding: "cbor",
    description:
      "Main-chain blocks from a height on, each with its certificate (peers catching up), cut by bytes (`next`).",
  }),
  blockFinalized: event({
    subject: "chain.v1.block.finalized",
    payload: z.object({
      hash: Hash32Hex,
      height: SafeUint,
      slot: SafeUint,
      signers: SafeUint,
      certificate: CertificateBytes,
    }),
    encoding: "cbor",
    description: "A block and its certificate were committed: final on this node.",
  }),
  evidenceRecorded: event({
    subject: "chain.v1.evidence.recorded",
    payload: z.object({ slot: SafeUint, leader: SafeUint, evidence: EvidenceBytes }),
    encoding: "cbor",
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
      max: z.number().int().min(1).max(FINAL_GET_MAX),
    }),
    // One P2P finalBlocks message (≤ codec's MAX_MESSAGE_BYTES), well within the bus's max_payload.
    reply: z.object({ items: z.array(FinalBlock).max(FINAL_GET_MAX) }),
    encoding: "cbor",
    description:
      "Asks one peer for final blocks from a height on (a dolev-strong node catching up); the chain asks again from its new tip.",
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
