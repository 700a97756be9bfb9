import {
  DIGEST_WORDS,
  type Digest,
  KEY_WORDS,
  noteCommitment,
  nullifierOf,
  P,
  U64_MAX,
} from "@p2pnode/stark";
import { bytesToWords, wordsToBytes } from "./bytes.js";
import { ShieldedError } from "./errors.js";
import type { SpendingKey } from "./keys.js";

/**
 * A note: `value` owned by the holder of the spending key behind `owner`, with ρ (its
 * nullifier seed, unique per note) and r (the commitment's hiding randomness). The chain only
 * ever sees its commitment; the recipient learns the note from its ciphertext (encryption.ts).
 */
export interface Note {
  owner: Digest;
  value: bigint;
  rho: readonly number[];
  r: readonly number[];
}

export function commitmentOf(note: Note): Digest {
  checkNote(note);
  return noteCommitment(note.owner, note.value, note.rho, note.r);
}

/** BAD_NOTE unless the value is a u64 and the owner, ρ and r are canonical field elements. */
export function checkNote(note: Note): void {
  if (typeof note.value !== "bigint" || note.value < 0n || note.value > U64_MAX)
    throw new ShieldedError("BAD_NOTE", "note value must be an unsigned 64-bit integer");
  const words = (v: readonly number[], n: number) =>
    Array.isArray(v) && v.length === n && v.every((x) => Number.isInteger(x) && x >= 0 && x < P);
  if (!words(note.owner, DIGEST_WORDS) || !words(note.rho, KEY_WORDS) || !words(note.r, KEY_WORDS))
    throw new ShieldedError("BAD_NOTE", "note owner, rho and r must be canonical field elements");
}

/** The nullifier that spending `note` publishes: S_nf(sk, ρ), which nobody can link to the commitment. */
export function nullifierFor(sk: SpendingKey, note: Note): Digest {
  return nullifierOf(sk, note.rho);
}

/** The plaintext inside a note ciphertext: version 1 | value u64 (big-endian) | ρ | r. */
export const NOTE_PLAINTEXT_BYTES = 1 + 8 + 4 * KEY_WORDS + 4 * KEY_WORDS;
const PLAINTEXT_VERSION = 1;

export function encodeNotePlaintext(note: Note): Uint8Array {
  checkNote(note);
  const out = new Uint8Array(NOTE_PLAINTEXT_BYTES);
  out[0] = PLAINTEXT_VERSION;
  new DataView(out.buffer).setBigUint64(1, note.value, false);
  out.set(wordsToBytes(note.rho), 9);
  out.set(wordsToBytes(note.r), 9 + 4 * KEY_WORDS);
  return out;
}

/** Decodes a plaintext for the owner who decrypted it; anything malformed is MALFORMED. */
export function decodeNotePlaintext(bytes: Uint8Array, owner: Digest): Note {
  if (!(bytes instanceof Uint8Array) || bytes.length !== NOTE_PLAINTEXT_BYTES)
    throw new ShieldedError("MALFORMED", `note plaintext must be ${NOTE_PLAINTEXT_BYTES} bytes`);
  if (bytes[0] !== PLAINTEXT_VERSION)
    throw new ShieldedError("MALFORMED", `unknown note version ${bytes[0]}`);
  const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(1, false);
  const rho = bytesToWords(bytes.subarray(9, 9 + 4 * KEY_WORDS), KEY_WORDS, "rho");
  const r = bytesToWords(bytes.subarray(9 + 4 * KEY_WORDS), KEY_WORDS, "r");
  return { owner, value, rho, r };
}
