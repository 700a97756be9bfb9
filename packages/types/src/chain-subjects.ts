import { z } from "zod";
import { AddressHex, BlockHeaderJson, Hash32Hex, SafeUint, U64String } from "./chain.js";
import { bytesOf, Empty, endpoint, event } from "./subjects.js";

/**
 * Why a block or transaction was refused: the statuses users know from the seeds (previous-hash
 * mismatch, fork, invalid hash/PoW, invalid signature, missed block) plus what validation finds.
 */
export const RejectReason = z.enum([
  "PREV_HASH_MISMATCH",
  "FORK_TOO_DEEP",
  "INVALID_POW",
  "INVALID_HASH",
  "INVALID_SIGNATURE",
  "MISSED_BLOCK",
  "BAD_MERKLE_ROOT",
  "BAD_TIMESTAMP",
  "BAD_TARGET",
  "BAD_HEIGHT",
  "BAD_VERSION",
  "BAD_REWARD",
  "OVERSIZE",
  "DUPLICATE",
  "DECODE_FAILED",
  "WRONG_CHAIN",
  "BAD_NONCE",
  "INSUFFICIENT_FUNDS",
  "FEE_TOO_LOW",
  "MEMPOOL_FULL",
  "INVALID_TX",
  /** A header's stateRoot is not all zeros (the chain keeps no state commitment yet). */
  "BAD_STATE_ROOT",
  /** The block descends from a block that was found invalid. */
  "INVALID_ANCESTOR",
  /** Dolev-Strong: a block from a peer without the commit certificate that makes it final. */
  "NO_CERTIFICATE",
  /** Dolev-Strong: a certificate that does not check out against the genesis validators. */
  "BAD_CERTIFICATE",
  /** Dolev-Strong: a block that would replace or fork below a final block. */
  "CONFLICTS_WITH_FINAL",
  /** A block from a miner in a network whose blocks come from validators. */
  "NOT_POW_NETWORK",
  /** Shielded: the spend proof does not verify for this transaction (tampered, moved or forged). */
  "BAD_PROOF",
  /** Shielded: a nullifier was already published (a note spent twice), on the chain or in the block. */
  "NULLIFIER_SPENT",
  /** Shielded: the anchor is not one of the recent roots of the note-commitment tree. */
  "UNKNOWN_ROOT",
  /** Shielded: more value would leave the shielded pool than it holds. */
  "VALUE_IMBALANCE",
  /** Shielded: a digest word is not a canonical field element (≥ the modulus). */
  "BAD_FIELD_ELEMENT",
]);
export type RejectReason = z.infer<typeof RejectReason>;

/** Cumulative work as a decimal string (it outgrows 2^53). */
export const TotalWork = z.string().regex(/^[0-9]+$/);

export const ChainTip = z.object({
  height: SafeUint,
  hash: Hash32Hex,
  totalWork: TotalWork,
  timestamp: SafeUint,
  chainId: z.string(),
});
export type ChainTip = z.infer<typeof ChainTip>;

/** What the miner hashes: a header with nonce 0 and the transactions it commits to. */
export const BlockTemplate = z.object({
  header: BlockHeaderJson,
  /** The txs' codec bytes, in block order: the miner frames them after the header as they are. */
  txs: z.array(z.lazy(() => TxBytes)).max(100_000),
  /** Encoded header (codec's fixed layout) so the miner can rewrite the nonce in place. */
  headerHex: z.string().regex(/^[0-9a-f]+$/),
  /** Changes whenever the tip or the mempool selection changes. */
  templateId: z.string(),
});
export type BlockTemplate = z.infer<typeof BlockTemplate>;

export const BlockVerdict = z.object({
  hash: Hash32Hex,
  height: SafeUint,
  /** `connected`: on the best chain; `side`: valid on a lighter branch; `reorg`: became the best chain. */
  status: z.enum(["connected", "side", "reorg", "known", "orphan"]),
});
export type BlockVerdict = z.infer<typeof BlockVerdict>;

/*
 * Coarse bounds on payload bytes (types depends on zod alone: the exact limits are the size
 * table in @p2pnode/codec's limits.ts, which the decoders check): above the largest transaction
 * (a shielded one, ~68 KiB), block (2 MiB) and certificate (~63 KiB), under the bus's max_payload.
 */
const EVENT_TX_MAX_BYTES = 128 * 1024;
const EVENT_BLOCK_MAX_BYTES = 4 * 1024 * 1024;
const EVENT_CERTIFICATE_MAX_BYTES = 100_000;

/** A block's codec bytes in a CBOR payload. */
export const BlockBytes = bytesOf(EVENT_BLOCK_MAX_BYTES, "block");

/** A commit certificate's codec bytes in a CBOR payload. */
export const CertificateBytes = bytesOf(EVENT_CERTIFICATE_MAX_BYTES, "certificate");

/** A signed transaction's codec bytes in a CBOR payload. */
export const TxBytes = bytesOf(EVENT_TX_MAX_BYTES, "tx");

/**
 * A block was committed: what a subscriber needs to relay it without asking the chain back — its
 * codec bytes, height and the total work of the chain ending at it (the tip's when `connected` or
 * `reorg`) — and, on a dolev-strong network, the certificate that made it final (the gateway
 * floods block and certificate together).
 */
export const BlockAcceptedEvent = z.object({
  hash: Hash32Hex,
  height: SafeUint,
  status: BlockVerdict.shape.status,
  txCount: SafeUint,
  totalWork: TotalWork,
  /** Always present: the size table keeps the largest block and its envelope within max_payload. */
  block: BlockBytes,
  certificate: CertificateBytes.optional(),
});
export type BlockAcceptedEvent = z.infer<typeof BlockAcceptedEvent>;

/** A tx entered the mempool, with its codec bytes: a peer's getdata is served without asking the chain. */
export const TxAcceptedEvent = z.object({
  id: Hash32Hex,
  fee: U64String,
  tx: TxBytes,
});
export type TxAcceptedEvent = z.infer<typeof TxAcceptedEvent>;

/*
 * The two write subjects carry blocks and transactions as their codec bytes (canonical CBOR
 * payloads): the gateway relays a peer's bytes as they came, the miner encodes its block once, and
 * the chain decodes them once (bytes it cannot decode: DECODE_FAILED). They kept their `v1` names
 * when they moved from JSON to bytes: this is a contract inside one node, whose services ship and
 * start together, not one between nodes or with users (REST `POST /txs` and `POST /blocks` stay
 * JSON). A JSON body on them is refused (BAD_REQUEST: not canonical CBOR).
 */
export const ChainSubjects = {
  txSubmit: endpoint({
    service: "chain",
    subject: "chain.v1.tx.submit",
    request: z.object({ tx: TxBytes }),
    reply: z.object({ id: Hash32Hex }),
    encoding: "cbor",
    description:
      "Validate a transaction (its codec bytes) and admit it to the mempool; errors carry a RejectReason code.",
    errors: RejectReason.options,
  }),
  blockSubmit: endpoint({
    service: "chain",
    subject: "chain.v1.block.submit",
    request: z.object({ block: BlockBytes, source: z.enum(["miner", "peer", "local"]).default("local") }),
    reply: BlockVerdict,
    encoding: "cbor",
    description:
      "Validate and store a block (its codec bytes); acknowledged only after its commit. Errors carry a RejectReason code.",
    errors: RejectReason.options,
  }),
  templateGet: endpoint({
    service: "chain",
    subject: "chain.v1.template.get",
    request: z.object({ miner: AddressHex }),
    reply: BlockTemplate,
    encoding: "cbor",
    description:
      "A block template on the current tip paying the reward and fees to `miner`; its txs as codec bytes.",
  }),
  tipGet: endpoint({
    service: "chain",
    subject: "chain.v1.tip.get",
    request: Empty,
    reply: ChainTip,
    description: "The best chain's tip.",
  }),
  blockAccepted: event({
    subject: "chain.v1.block.accepted",
    encoding: "cbor",
    payload: BlockAcceptedEvent,
    description:
      "A block was committed (after COMMIT returned), with its bytes, height, total work and (dolev-strong) certificate.",
  }),
  txAccepted: event({
    subject: "chain.v1.tx.accepted",
    encoding: "cbor",
    payload: TxAcceptedEvent,
    description:
      "A transaction entered the mempool, with its bytes. Sent within 5 ms, with the others of that window, in acceptance order and before any later block.accepted.",
  }),
} as const;
