import { z } from "zod";
import { AddressHex, Hash32Hex, SafeUint, U64String } from "./chain.js";
import { BlockBytes, TxBytes } from "./chain-subjects.js";
import { bytesOf, endpoint } from "./subjects.js";

/** Most headers one `chain.v1.headers.get` answers (Bitcoin Core's getheaders answers 2,000). */
export const MAX_HEADERS_PER_REQUEST = 2_000;

/** A block header's codec bytes (176 today; the exact size is the codec's HEADER_SIZE, checked on decode). */
export const HeaderBytes = bytesOf(1024, "header");

/**
 * Reads the gateway needs to serve peers: getdata for blocks and txs, and headers-first sync.
 * Kept apart from the write contract in chain-subjects.ts.
 */
/** Where a confirmed tx sits and the sibling hashes up to its block's txRoot (RFC 6962 path). */
export const TxInclusionProof = z.object({
  txId: Hash32Hex,
  blockHash: Hash32Hex,
  height: SafeUint,
  index: SafeUint,
  /** Leaves in the block's tree (headers do not commit to it; a wrong one fails verification). */
  size: SafeUint,
  path: z.array(Hash32Hex).max(64),
});
export type TxInclusionProof = z.infer<typeof TxInclusionProof>;
export const AccountAtHeight = z.object({
  address: AddressHex,
  balance: U64String,
  nonce: SafeUint,
  /** Tip height of the node that answered. */
  height: SafeUint,
});
export type AccountAtHeight = z.infer<typeof AccountAtHeight>;

export const ChainReadSubjects = {
  blockGet: endpoint({
    service: "chain",
    subject: "chain.v1.block.get",
    request: z.object({ hash: Hash32Hex }),
    reply: z.object({ block: BlockBytes, height: SafeUint, onBestChain: z.boolean() }),
    encoding: "cbor",
    description: "A stored block's codec bytes by hash (NOT_FOUND if unknown).",
  }),
  txGet: endpoint({
    service: "chain",
    subject: "chain.v1.tx.get",
    request: z.object({ id: Hash32Hex }),
    reply: z.object({ tx: TxBytes, status: z.enum(["mempool", "confirmed"]) }),
    encoding: "cbor",
    description: "A transaction's codec bytes from the mempool or the best chain (NOT_FOUND if unknown).",
  }),
  headersGet: endpoint({
    service: "chain",
    subject: "chain.v1.headers.get",
    request: z.object({
      /** Block hashes from the caller's tip backwards (dense, then sparse), as in Bitcoin's getheaders. */
      locator: z.array(Hash32Hex).max(64),
      stop: Hash32Hex.optional(),
      max: z.number().int().min(1).max(MAX_HEADERS_PER_REQUEST).default(MAX_HEADERS_PER_REQUEST),
    }),
    reply: z.object({ headers: z.array(HeaderBytes).max(MAX_HEADERS_PER_REQUEST) }),
    encoding: "cbor",
    description: "Best-chain headers' codec bytes after the first locator hash we know (genesis if none).",
  }),
  txProofGet: endpoint({
    service: "chain",
    subject: "chain.v1.tx-proof.get",
    request: z.object({ id: Hash32Hex }),
    reply: TxInclusionProof,
    description:
      "A confirmed tx's block and Merkle audit path, for light nodes (NOT_FOUND if not on the best chain).",
  }),
  accountGet: endpoint({
    service: "chain",
    subject: "chain.v1.account.get",
    request: z.object({ address: AddressHex }),
    reply: AccountAtHeight,
    description: "Balance and nonce at the tip, for light nodes (unproven: no state root yet).",
  }),
} as const;
