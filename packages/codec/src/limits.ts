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
 * Largest encoded block: header, count and length-prefixed txs. 2 MiB keeps a block well
 * inside the 4 MiB P2P message limit (DESIGN.md §5) with room for framing.
 */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/** Default cap of the generic canonical CBOR decoder (P2P messages), per DESIGN.md §5. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

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
