import { type CipherState, NOISE_MAX_MESSAGE, TAG_BYTES } from "./cipher-state.js";
import { NoiseError } from "./errors.js";

const EMPTY = new Uint8Array(0);
/** Largest plaintext of one Noise transport message. */
export const NOISE_MAX_PLAINTEXT = NOISE_MAX_MESSAGE - TAG_BYTES;

/**
 * Encrypts one application frame of any size as a run of Noise transport messages: the
 * plaintext is cut into 65,519-byte pieces, each sealed with the next nonce. Noise caps a
 * message at 65,535 bytes; cutting at fixed offsets keeps the split deterministic, so the
 * receiver needs no length fields (libp2p's noise does the same on a byte stream).
 */
export function sealFrame(cs: CipherState, plaintext: Uint8Array): Uint8Array {
  const chunks = Math.max(1, Math.ceil(plaintext.length / NOISE_MAX_PLAINTEXT));
  const out = new Uint8Array(plaintext.length + chunks * TAG_BYTES);
  for (let i = 0, o = 0; i < chunks; i++) {
    const piece = plaintext.subarray(i * NOISE_MAX_PLAINTEXT, (i + 1) * NOISE_MAX_PLAINTEXT);
    const sealed = cs.encryptWithAd(EMPTY, piece);
    out.set(sealed, o);
    o += sealed.length;
  }
  return out;
}

/** Plaintext length of a sealed frame of `sealedLength` bytes, or -1 if no frame has that length. */
export function openedLength(sealedLength: number): number {
  const chunks = Math.ceil(sealedLength / NOISE_MAX_MESSAGE);
  const last = sealedLength - (chunks - 1) * NOISE_MAX_MESSAGE;
  if (sealedLength < TAG_BYTES || last < TAG_BYTES) return -1;
  return sealedLength - chunks * TAG_BYTES;
}

/**
 * The inverse of sealFrame. The plaintext size is known from the ciphertext size, so the limit
 * is checked before anything is decrypted or allocated.
 */
export function openFrame(cs: CipherState, sealed: Uint8Array, maxPlaintext: number): Uint8Array {
  const size = openedLength(sealed.length);
  if (size < 0)
    throw new NoiseError("NOISE_BAD_MESSAGE", `sealed frame of ${sealed.length} bytes is malformed`);
  if (size > maxPlaintext) {
    throw new NoiseError("NOISE_BAD_MESSAGE", `frame of ${size} bytes exceeds the limit of ${maxPlaintext}`);
  }
  if (sealed.length <= NOISE_MAX_MESSAGE) return cs.decryptWithAd(EMPTY, sealed);
  const out = new Uint8Array(size);
  for (let i = 0, o = 0; i < sealed.length; i += NOISE_MAX_MESSAGE) {
    const piece = cs.decryptWithAd(EMPTY, sealed.subarray(i, i + NOISE_MAX_MESSAGE));
    out.set(piece, o);
    o += piece.length;
  }
  return out;
}
