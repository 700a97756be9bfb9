import { digestToBytes } from "./bytes.js";
import { encodeEncryptedNote } from "./encryption.js";
import type { PreparedSpend } from "./spend.js";

/** The bytes a shielded transaction carries for a prepared spend (codec's ShieldedSpend, without the proof). */
export interface SpendTxFields {
  anchor: Uint8Array;
  nullifiers: readonly [Uint8Array, Uint8Array];
  commitments: readonly [Uint8Array, Uint8Array];
  notes: readonly [Uint8Array, Uint8Array];
}

/**
 * What a wallet puts in the transaction before proving: the anchor, nullifiers, output
 * commitments and note ciphertexts as bytes. The proof is then made for the hash of that
 * transaction with an empty proof (crypto's shieldedTxHash) and set last.
 */
export function spendTxFields(p: PreparedSpend): SpendTxFields {
  return {
    anchor: digestToBytes(p.witness.root),
    nullifiers: [digestToBytes(p.nullifiers[0]), digestToBytes(p.nullifiers[1])],
    commitments: [digestToBytes(p.outputs[0].commitment), digestToBytes(p.outputs[1].commitment)],
    notes: [encodeEncryptedNote(p.outputs[0].note), encodeEncryptedNote(p.outputs[1].note)],
  };
}
