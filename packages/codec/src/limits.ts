/*
 * The size limits of a node, from consensus down to the transports, in one table. Each layer's
 * limit is derived from the one above it, and test/limits.test.ts checks that the largest item
 * of each layer fits the next:
 *
 *   tx        MAX_TX_BYTES            1 KiB    consensus (a shielded tx: MAX_SHIELDED_TX_BYTES, 68 KiB)
 *   block     MAX_BLOCK_BYTES         2 MiB    consensus
 *   P2P       MAX_MESSAGE_BYTES       4 MiB    one block message, a blocks message of ≥ 1 block
 *   NATS      BUS_MAX_PAYLOAD_BYTES   8 MiB    max_payload of the node's nats-server (supervisor);
 *                                              a block event, a sync answer of SYNC_BLOCKS_PER_ANSWER
 *
 * The consensus limits are rules every decoder checks before it allocates: a block a node
 * accepts must decode on every other node, so change them only with a new format version.
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
 * Largest encoded block: header, count and length-prefixed txs. 2 MiB keeps a block well
 * inside the 4 MiB P2P message limit (DESIGN.md §5) with room for framing.
 */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/** Default cap of the generic canonical CBOR decoder (P2P messages), per DESIGN.md §5. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * NATS `max_payload` of a node's private nats-server, written by the supervisor; the Bus refuses
 * a larger payload before sending it. 8 MiB is the largest value nats-server accepts without
 * warning, and it holds a block event or a sync answer at the largest block.
 */
export const BUS_MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

/** Bytes a payload's CBOR map adds around its blocks (keys, lengths, hashes, peer id). */
export const BUS_ENVELOPE_BYTES = 64 * 1024;

/**
 * Most blocks in one sync answer over NATS (`gateway.v1.blocks.fetch`): as many blocks of
 * MAX_BLOCK_BYTES as fit in BUS_MAX_PAYLOAD_BYTES with their envelope (3).
 */
export const SYNC_BLOCKS_PER_ANSWER = Math.floor(
  (BUS_MAX_PAYLOAD_BYTES - BUS_ENVELOPE_BYTES) / MAX_BLOCK_BYTES,
);

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
