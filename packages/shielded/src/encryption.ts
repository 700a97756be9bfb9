import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concat } from "./bytes.js";
import { ShieldedError } from "./errors.js";
import type { ShieldedAddress, ViewingKey } from "./keys.js";
import { decodeNotePlaintext, encodeNotePlaintext, NOTE_PLAINTEXT_BYTES, type Note } from "./note.js";
import { nobleShared, type X25519Agreement } from "./x25519.js";

/**
 * Note encryption to a shielded address (the Sapling/Orchard pattern, with @noble):
 *   esk random, epk = X25519(esk, G), s = X25519(esk, address key)
 *   view tag = SHA-256("…/tag" ‖ s)[0]          one byte, checked before decrypting
 *   key      = SHA-256("…/key" ‖ s ‖ epk)        a fresh key per output, so a zero nonce is safe
 *   ct       = ChaCha20-Poly1305(key, 0, aad = epk ‖ tag).encrypt(note plaintext)
 * A scanning wallet computes s and the tag for every output and decrypts only the ~1/256 whose
 * tag matches. Outputs are fixed-size (90 bytes), so their length says nothing about the note.
 */
export interface EncryptedNote {
  epk: Uint8Array;
  viewTag: number;
  ciphertext: Uint8Array;
}

export const CIPHERTEXT_BYTES = NOTE_PLAINTEXT_BYTES + 16;
export const ENCRYPTED_NOTE_BYTES = 32 + 1 + CIPHERTEXT_BYTES;
const enc = new TextEncoder();
const TAG_DOMAIN = enc.encode("p2pnode/shielded/view-tag/v1");
const KEY_DOMAIN = enc.encode("p2pnode/shielded/note-key/v1");
const NONCE = new Uint8Array(12);

export function viewTagOf(shared: Uint8Array): number {
  return sha256(concat(TAG_DOMAIN, shared))[0]!;
}

function noteKey(shared: Uint8Array, epk: Uint8Array): Uint8Array {
  return sha256(concat(KEY_DOMAIN, shared, epk));
}

/** Encrypts `note` for `to`; `esk` (32 random bytes) is drawn fresh unless a test passes one. */
export function encryptNote(
  note: Note,
  to: ShieldedAddress,
  esk: Uint8Array = x25519.utils.randomSecretKey(),
): EncryptedNote {
  const epk = x25519.getPublicKey(esk);
  const shared = nobleShared(esk, to.encryptionKey);
  if (!shared)
    throw new ShieldedError("BAD_ADDRESS", "the address's encryption key is not a valid X25519 key");
  const viewTag = viewTagOf(shared);
  const aad = concat(epk, Uint8Array.of(viewTag));
  const ciphertext = chacha20poly1305(noteKey(shared, epk), NONCE, aad).encrypt(encodeNotePlaintext(note));
  return { epk, viewTag, ciphertext };
}

/**
 * The note in `e` if it is for `vk`: undefined when the view tag differs (most outputs), the
 * authentication fails, or the plaintext is malformed. `agreement` is vk's X25519Agreement.
 */
export function tryDecryptNote(
  vk: ViewingKey,
  agreement: X25519Agreement,
  e: EncryptedNote,
): Note | undefined {
  const shared = agreement.shared(e.epk);
  if (!shared || viewTagOf(shared) !== e.viewTag) return undefined;
  return openNote(vk, shared, e);
}

/** Decrypts `e` with an already agreed shared secret (after its view tag matched). */
export function openNote(vk: ViewingKey, shared: Uint8Array, e: EncryptedNote): Note | undefined {
  try {
    const aad = concat(e.epk, Uint8Array.of(e.viewTag));
    const plain = chacha20poly1305(noteKey(shared, e.epk), NONCE, aad).decrypt(e.ciphertext);
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
