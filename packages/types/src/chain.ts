import { z } from "zod";

/*
 * JSON shapes of the chain's domain objects, as REST and NATS carry them (DESIGN.md §4).
 * Bytes are lowercase hex, amounts are decimal strings (they exceed 2^53), small counters
 * are JSON numbers. The binary forms that are hashed and signed live in @p2pnode/codec, which
 * also converts between these shapes and its in-memory objects (bigint, Uint8Array).
 */

const hexOf = (bytes: number, what: string) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${what}: ${bytes} bytes as lowercase hex`);

export const AddressHex = hexOf(20, "address");
export const Hash32Hex = hexOf(32, "hash");
export const PublicKeyHex = hexOf(32, "public key");
export const SignatureHex = hexOf(64, "signature");

/** Raw bytes of any length up to `maxBytes`, as lowercase hex. */
export const bytesHex = (maxBytes: number, what: string) =>
  z
    .string()
    .max(maxBytes * 2)
    .regex(/^(?:[0-9a-f]{2})*$/, `${what}: at most ${maxBytes} bytes as lowercase hex`);

/**
 * An unsigned 64-bit integer as a decimal string without leading zeros: at most 20 digits, and a
 * 20-digit one at most 2^64 - 1. Same digits count: decimal strings without leading zeros compare
 * like the numbers they are, so no BigInt is built on the hot path of every transaction parse.
 * Exported for the reader of transfer bodies that skips the schema (rules' tx-body.ts).
 */
export const U64_DECIMAL = { form: /^(0|[1-9][0-9]{0,19})$/, max: "18446744073709551615" } as const;

/** An unsigned 64-bit integer (amount, fee) as a decimal string without leading zeros. */
export const U64String = z
  .string()
  // abort: a string that is no decimal at all is not also told it is too large.
  .regex(U64_DECIMAL.form, { message: "a non-negative integer as a decimal string", abort: true })
  .refine((s) => s.length < 20 || s <= U64_DECIMAL.max, "must be below 2^64");

/** A counter that stays within JSON's safe integers (nonce, height, timestamp in ms). */
export const SafeUint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A transfer of `amount` from the signer (`from`, a public key) to the address `to`. */
export const TransferTxJson = z.object({
  kind: z.literal("transfer"),
  from: PublicKeyHex,
  to: AddressHex,
  amount: U64String,
  fee: U64String,
  nonce: SafeUint,
  memo: bytesHex(256, "memo"),
});
export type TransferTxJson = z.infer<typeof TransferTxJson>;

/** The spend each shielded kind carries (codec shielded-tx.ts); the proof is ~49 KB (≤ 64 KiB). */
const ShieldedSpendJson = {
  fee: U64String,
  anchor: Hash32Hex,
  nullifiers: z.tuple([Hash32Hex, Hash32Hex]),
  commitments: z.tuple([Hash32Hex, Hash32Hex]),
  notes: z.tuple([bytesHex(90, "note ciphertext"), bytesHex(90, "note ciphertext")]),
  proof: bytesHex(64 * 1024, "proof"),
};

/** Account → notes: `from` pays amount + fee and signs; `amount` enters the shielded pool. */
export const ShieldTxJson = z.object({
  kind: z.literal("shield"),
  from: PublicKeyHex,
  amount: U64String,
  nonce: SafeUint,
  ...ShieldedSpendJson,
});
export type ShieldTxJson = z.infer<typeof ShieldTxJson>;
/** Notes → notes; unsigned (signature ""): the proof is the authority. */
export const ShieldedTransferTxJson = z.object({ kind: z.literal("shielded"), ...ShieldedSpendJson });
export type ShieldedTransferTxJson = z.infer<typeof ShieldedTransferTxJson>;
/** Notes → account `to`; unsigned (signature ""). */
export const UnshieldTxJson = z.object({
  kind: z.literal("unshield"),
  to: AddressHex,
  amount: U64String,
  ...ShieldedSpendJson,
});

export type UnshieldTxJson = z.infer<typeof UnshieldTxJson>;

/** Every transaction kind. */
export const TransactionJson = z.discriminatedUnion("kind", [
  TransferTxJson,
  ShieldTxJson,
  ShieldedTransferTxJson,
  UnshieldTxJson,
]);
export type TransactionJson = z.infer<typeof TransactionJson>;

/**
 * A transaction with its Ed25519 signature (empty for the unsigned shielded kinds);
 * `id` = SHA-256 of its canonical encoding.
 */
export const SignedTransactionJson = z.object({
  id: Hash32Hex.optional(),
  tx: TransactionJson,
  signature: z.union([SignatureHex, z.literal("")]),
});
export type SignedTransactionJson = z.infer<typeof SignedTransactionJson>;

export const BlockHeaderJson = z.object({
  version: z.number().int().min(1).max(0xffff_ffff),
  height: SafeUint,
  prevHash: Hash32Hex,
  txRoot: Hash32Hex,
  /** All zeros while the chain keeps no state commitment. */
  stateRoot: Hash32Hex,
  timestamp: SafeUint,
  /** Proof-of-work target, 32-byte big-endian: the header hash must be ≤ target. */
  target: Hash32Hex,
  /** Unsigned 64-bit, as a decimal string (the miner searches the full range). */
  nonce: U64String,
  miner: AddressHex,
});
export type BlockHeaderJson = z.infer<typeof BlockHeaderJson>;

export const BlockJson = z.object({
  /** SHA-256 of the encoded header; optional on input, always present on output. */
  hash: Hash32Hex.optional(),
  header: BlockHeaderJson,
  txs: z.array(SignedTransactionJson).max(10_000),
});
export type BlockJson = z.infer<typeof BlockJson>;

/** Balances may exceed 2^64 in total supply terms, so they get up to 31 digits like genesis. */
export const AccountJson = z.object({
  address: AddressHex,
  balance: z.string().regex(/^(0|[1-9][0-9]{0,30})$/, "balance: a non-negative integer as a decimal string"),
  nonce: SafeUint,
});
export type AccountJson = z.infer<typeof AccountJson>;
