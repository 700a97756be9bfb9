import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Digest } from "@p2pnode/stark";
import { concat, digestToBytes } from "./bytes.js";
import { ShieldedError } from "./errors.js";
import type { ShieldedAddress, ViewingKey } from "./keys.js";
import {
  commitmentOf,
  decodeNotePlaintext,
  encodeNotePlaintext,
  NOTE_PLAINTEXT_BYTES,
  type Note,
} from "./note.js";
import { nobleShared, type X25519Agreement } from "./x25519.js";

/**
 * Note encryption to a shielded address (the Sapling/Orchard pattern, with @noble). One
 * ephemeral key per spend, shared by its two outputs; everything per output is bound to the
 * output's note commitment cm:
 *   esk random, epk = X25519(esk, G), s = X25519(esk, address key) = X25519(ivk, epk)
 *   view tag = SHA-256("…/view-tag" ‖ s ‖ cm)[0]     one byte, checked before decrypting
 *   key      = SHA-256("…/note-key" ‖ s ‖ epk ‖ cm)   unique per output, so a zero nonce is safe
 *   ct       = ChaCha20-Poly1305(key, 0, aad = epk ‖ tag).encrypt(note plaintext)
 * A scanning wallet computes s once per transaction and the tag per output, and decrypts only
 * the ~1/256 whose tag matches; a ciphertext moved to another output no longer decrypts.
 * Outputs are fixed-size (90 bytes), so their length says nothing about the note.
 */
export interface EncryptedNote {
  epk: Uint8Array;
  viewTag: number;
  ciphertext: Uint8Array;
}

export const CIPHERTEXT_BYTES = NOTE_PLAINTEXT_BYTES + 16;
export const ENCRYPTED_NOTE_BYTES = 32 + 1 + CIPHERTEXT_BYTES;
const enc = new TextEncoder();
const TAG_DOMAIN = enc.encode("p2pnode/shielded/view-tag/v2");
const KEY_DOMAIN = enc.encode("p2pnode/shielded/note-key/v2");
const NONCE = new Uint8Array(12);

export function viewTagOf(shared: Uint8Array, commitment: Digest): number {
  return sha256(concat(TAG_DOMAIN, shared, digestToBytes(commitment)))[0]!;
}

function noteKey(shared: Uint8Array, epk: Uint8Array, commitment: Digest): Uint8Array {
  return sha256(concat(KEY_DOMAIN, shared, epk, digestToBytes(commitment)));
}

/** A fresh ephemeral secret (one per spend). */
export function ephemeralSecret(): Uint8Array {
  return x25519.utils.randomSecretKey();
}

/** Encrypts `note` for `to` under the spend's ephemeral secret `esk`, bound to its commitment. */
export function encryptNote(
  note: Note,
  to: ShieldedAddress,
  esk: Uint8Array = ephemeralSecret(),
  commitment: Digest = commitmentOf(note),
): EncryptedNote {
  const epk = x25519.getPublicKey(esk);
  const shared = nobleShared(esk, to.encryptionKey);
  if (!shared)
    throw new ShieldedError("BAD_ADDRESS", "the address's encryption key is not a valid X25519 key");
  const viewTag = viewTagOf(shared, commitment);
  const aad = concat(epk, Uint8Array.of(viewTag));
  const key = noteKey(shared, epk, commitment);
  return { epk, viewTag, ciphertext: chacha20poly1305(key, NONCE, aad).encrypt(encodeNotePlaintext(note)) };
}

/**
 * The note of output `out` if it is for `vk`: undefined when the view tag differs (most
 * outputs), the authentication fails, or the plaintext is malformed. `agreement` is vk's
 * X25519Agreement; `shared` may pass the secret already agreed for this epk.
 */
export function tryDecryptNote(
  vk: ViewingKey,
  agreement: X25519Agreement,
  out: { commitment: Digest; note: EncryptedNote },
  shared: Uint8Array | undefined = agreement.shared(out.note.epk),
): Note | undefined {
  const e = out.note;
  if (!shared || viewTagOf(shared, out.commitment) !== e.viewTag) return undefined;
  try {
    const aad = concat(e.epk, Uint8Array.of(e.viewTag));
    const plain = chacha20poly1305(noteKey(shared, e.epk, out.commitment), NONCE, aad).decrypt(e.ciphertext);
    return decodeNotePlaintext(plain, vk.pk);
  } catch {
    return undefined;
  }
}

export function encodeEncryptedNote(e: EncryptedNote): Uint8Array {
  if (
    e.epk.length !== 32 ||
    e.ciphertext.length !== CIPHERTEXT_BYTES ||
    !Number.isInteger(e.viewTag) ||
    e.viewTag < 0 ||
    e.viewTag > 255
  )
    throw new ShieldedError("MALFORMED", "encrypted note of the wrong shape");
  return concat(e.epk, Uint8Array.of(e.viewTag), e.ciphertext);
}

export function decodeEncryptedNote(bytes: Uint8Array): EncryptedNote {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ENCRYPTED_NOTE_BYTES)
    throw new ShieldedError("MALFORMED", `an encrypted note is ${ENCRYPTED_NOTE_BYTES} bytes`);
  return { epk: bytes.slice(0, 32), viewTag: bytes[32]!, ciphertext: bytes.slice(33) };
}
