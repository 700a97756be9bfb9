/*
 * Size limits every decoder checks before it allocates. They are consensus rules: a block a
 * node accepts must decode on every other node, so change them only with a new format version.
 */

/** Largest memo of a transfer, in bytes. */
export const MAX_MEMO_BYTES = 256;

/**
 * Largest encoded signed transaction. A transfer with a full memo is ~430 bytes; the rest is
 * headroom for later kinds without letting one tx crowd out hundreds of transfers.
 */
export const MAX_TX_BYTES = 1024;

/** Most transactions in one block (1,000-tx blocks are the benchmark size). */
export const MAX_BLOCK_TXS = 8192;

/**
 * Largest encoded block: header, count and length-prefixed txs. The root of the size table
 * below: every message that carries a block, on the wire or on the bus, is sized from it.
 */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/**
 * Room for everything around one block in one message: CBOR keys, hashes, height, total work,
 * list length prefixes and a Dolev-Strong certificate (≤ 64,136 bytes at 1,000 validators).
 */
export const ENVELOPE_BYTES = 128 * 1024;

/**
 * Largest P2P message (one frame's plaintext; the generic CBOR decoder's default cap): 4 MiB as
 * Bitcoin Core and libp2p use (DESIGN.md §5), at least one block and its envelope.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * A blocks answer to a peer's get-blocks is cut when the next block would take it past this many
 * block bytes (the first block always goes: it fits, MAX_BLOCK_BYTES ≤ this); the asker sends
 * another get-blocks for the rest.
 */
export const SYNC_ANSWER_BYTES = MAX_MESSAGE_BYTES - ENVELOPE_BYTES;

/**
 * How many blocks-with-envelope one bus payload holds. Every subject carrying blocks or txs is
 * codec bytes in CBOR now (the template's txs too), so one would do for a block; the bus keeps
 * room for three because gateway.v1.final.fetch passes a whole P2P finalBlocks message
 * (MAX_MESSAGE_BYTES) through, uncut. It was the JSON expansion of a block (2.07–2.53×) while
 * the template still carried JSON.
 */
export const BUS_BLOCKS_PER_PAYLOAD = 3;

/**
 * The node's nats-server max_payload (the supervisor writes it; a service refuses to start on a
 * server that takes less): a block with its envelope in the largest encoding any subject uses.
 */
export const BUS_MAX_PAYLOAD_BYTES = BUS_BLOCKS_PER_PAYLOAD * (MAX_BLOCK_BYTES + ENVELOPE_BYTES);

/**
 * A gateway → chain sync answer (gateway.v1.blocks.fetch, block bytes in CBOR) is cut when the
 * next block would take it past this; the chain asks again for the rest.
 */
export const BUS_SYNC_ANSWER_BYTES = BUS_MAX_PAYLOAD_BYTES - ENVELOPE_BYTES;

/**
 * Most encoded tx bytes the chain puts in a block template: the block the miner builds from it
 * stays within MAX_BLOCK_BYTES, and the template within BUS_MAX_PAYLOAD_BYTES.
 */
export const MAX_TEMPLATE_TX_BYTES = MAX_BLOCK_BYTES - ENVELOPE_BYTES;

/**
 * Largest spend proof a shielded transaction may carry. Zero-knowledge 2-in/2-out spend proofs
 * are ~49 KB; 64 KiB leaves room for the variation of Merkle openings without letting one
 * transaction carry arbitrary bytes.
 */
export const MAX_SHIELDED_PROOF_BYTES = 64 * 1024;

/**
 * Largest encoded shielded transaction (shield, shielded, unshield): the proof plus ~600 bytes
 * of nullifiers, commitments, note ciphertexts and amounts. Checked before parsing; transfers
 * keep MAX_TX_BYTES. About 30 fit in a block (MAX_BLOCK_BYTES), each verified in ~12 ms.
 */
export const MAX_SHIELDED_TX_BYTES = 68 * 1024;

/** Bytes of one note ciphertext: ephemeral X25519 key 32 ‖ view tag 1 ‖ ChaCha20-Poly1305 of 41 + 16. */
export const NOTE_CIPHERTEXT_BYTES = 90;

/**
 * How many of `sizes` (in order) one answer carries within `budget` bytes: every item while the
 * total stays within it, and always the first (a block fits any budget of this table). Sync
 * answers on the wire (SYNC_ANSWER_BYTES) and on the bus (BUS_SYNC_ANSWER_BYTES) are cut by it.
 */
export function itemsWithinBudget(sizes: readonly number[], budget: number): number {
  let total = 0;
  for (const [i, size] of sizes.entries()) {
    if (i > 0 && total + size > budget) return i;
    total += size;
  }
  return sizes.length;
}
