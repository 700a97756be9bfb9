import { z } from "zod";
import {
  AccountJson,
  AddressHex,
  BlockHeaderJson,
  Hash32Hex,
  SafeUint,
  SignedTransactionJson,
  U64String,
} from "./chain.js";

/*
 * Response shapes of the chain service's REST API (services/chain/README.md). Requests reuse the
 * domain schemas of chain.ts (SignedTransactionJson, BlockJson).
 */

/** Hard cap of every chain list route (blocks, mempool): paging that really pages. */
export const CHAIN_PAGE_MAX = 100;

const Decimal = z.string().regex(/^[0-9]+$/);

export const BlockSummary = z.object({
  hash: Hash32Hex,
  height: SafeUint,
  header: BlockHeaderJson,
  txCount: SafeUint,
  sizeBytes: SafeUint,
  /** Cumulative work up to this block, decimal. */
  totalWork: Decimal,
  /** `main`: on the best chain; `side`: a valid lighter branch; `invalid`: failed when connected. */
  status: z.enum(["main", "side", "invalid"]),
  /** When this node stored it (ms). */
  receivedAt: SafeUint,
});
export type BlockSummary = z.infer<typeof BlockSummary>;

export const BlockPage = z.object({
  blocks: z.array(BlockSummary),
  tipHeight: SafeUint,
  /** `from` of the next page, null at the tip. */
  next: SafeUint.nullable(),
});
export type BlockPage = z.infer<typeof BlockPage>;

export const BlockDetail = BlockSummary.extend({
  txs: z.array(SignedTransactionJson),
  /** Blocks on top of it on the main chain plus one; 0 off the main chain. */
  confirmations: SafeUint,
});
export type BlockDetail = z.infer<typeof BlockDetail>;

/** RFC 6962 audit path of a tx id in its block's txRoot (verify with crypto's verifyMerkleProof). */
export const MerkleProofJson = z.object({
  index: SafeUint,
  size: SafeUint,
  path: z.array(Hash32Hex),
  root: Hash32Hex,
});
export type MerkleProofJson = z.infer<typeof MerkleProofJson>;

export const TxStatus = z.object({
  id: Hash32Hex,
  status: z.enum(["pending", "mined"]),
  tx: SignedTransactionJson,
  block: z.object({ hash: Hash32Hex, height: SafeUint, index: SafeUint }).optional(),
  confirmations: SafeUint.optional(),
  proof: MerkleProofJson.optional(),
});
export type TxStatus = z.infer<typeof TxStatus>;

export const TxSubmitted = z.object({ id: Hash32Hex, status: z.literal("pending") });
export type TxSubmitted = z.infer<typeof TxSubmitted>;

export const AccountState = AccountJson.extend({
  /** The nonce a new transaction of this account should use (after its pending txs). */
  pendingNonce: SafeUint,
  pendingTxs: SafeUint,
});
export type AccountState = z.infer<typeof AccountState>;

export const MempoolTx = z.object({
  id: Hash32Hex,
  /** The transaction kind (transfer when absent). */
  kind: z.enum(["transfer", "shield", "shielded", "unshield"]).optional(),
  /** "" for the shielded kinds without a public sender (shielded, unshield). */
  from: z.union([AddressHex, z.literal("")]),
  /** "" for the kinds without a public recipient (shield, shielded): notes hide it. */
  to: z.union([AddressHex, z.literal("")]),
  /** The public amount: 0 for a shielded transfer, whose amounts are hidden. */
  amount: U64String,
  fee: U64String,
  nonce: SafeUint,
  sizeBytes: SafeUint,
  receivedAt: SafeUint,
});
export type MempoolTx = z.infer<typeof MempoolTx>;

export const MempoolPage = z.object({
  count: SafeUint,
  bytes: SafeUint,
  /** Ordered by fee per byte, best first. */
  txs: z.array(MempoolTx),
  next: SafeUint.nullable(),
});
export type MempoolPage = z.infer<typeof MempoolPage>;

/** Result of re-validating the stored chain from genesis (POST /validate). */
export const ChainValidationReport = z.object({
  ok: z.boolean(),
  tipHeight: SafeUint,
  tipHash: Hash32Hex,
  /** Highest height that passed every check. */
  checkedHeight: SafeUint,
  txs: SafeUint,
  accounts: SafeUint,
  firstBadHeight: SafeUint.nullable(),
  /** A RejectReason, or STORE_INCONSISTENT when index, state or tip disagree with the blocks. */
  reason: z.string().nullable(),
  message: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type ChainValidationReport = z.infer<typeof ChainValidationReport>;

/** GET /sync on the chain: headers-first sync progress (also on /ready's `sync` check detail). */
export const SyncStatus = z.object({
  syncing: z.boolean(),
  state: z.enum(["idle", "headers", "blocks"]),
  height: SafeUint,
  /** The most a peer has shown us (its announced height or its headers), at least our height. */
  bestKnownHeight: SafeUint,
  blocksPerSecond: z.number().nonnegative(),
  /** Peer the headers come from while syncing. */
  peer: z.string().nullable(),
  /** Completed sync rounds that applied at least one block, since start. */
  rounds: SafeUint,
});
export type SyncStatus = z.infer<typeof SyncStatus>;
