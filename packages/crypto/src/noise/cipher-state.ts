import { type Aead, nobleChaChaPoly } from "./aead.js";
import { NoiseError } from "./errors.js";

/** ChaCha20-Poly1305's tag length: every encrypted Noise message is this much longer than its plaintext. */
export const TAG_BYTES = 16;
/** Noise §3: no Noise message (handshake or transport) exceeds 65,535 bytes. */
export const NOISE_MAX_MESSAGE = 65_535;
/** n = 2^64 − 1 is reserved (Noise §5.1); a cipher that reaches it refuses to go on. */
const NONCE_LIMIT = 2n ** 64n - 1n;

/**
 * Noise CipherState for ChaChaPoly: a key and a 64-bit counter nonce, encoded as 32 zero bits
 * followed by the little-endian counter (Noise §12.3). The nonce advances only after a
 * successful decrypt, so a forged message does not desynchronise the stream.
 */
export class CipherState {
  private k: Uint8Array | undefined;
  private n = 0n;
  private readonly nonceBuf = new Uint8Array(12);
  private readonly nonceView = new DataView(this.nonceBuf.buffer);

  constructor(
    key?: Uint8Array,
    nonce = 0n,
    private readonly aead: Aead = nobleChaChaPoly,
  ) {
    if (key !== undefined) this.initializeKey(key);
    this.n = nonce;
  }

  initializeKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new NoiseError("NOISE_STATE", "cipher key: expected 32 bytes");
    }
    this.k = key;
    this.n = 0n;
  }

  hasKey(): boolean {
    return this.k !== undefined;
  }

  /** The next nonce: tests and diagnostics only. */
  get nonce(): bigint {
    return this.n;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === undefined) return plaintext;
    const out = this.aead.encrypt(this.k, this.nextNonce(), ad, plaintext);
    this.n++;
    return out;
  }

  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.k === undefined) return ciphertext;
    if (ciphertext.length < TAG_BYTES) {
      throw new NoiseError("NOISE_DECRYPT_FAILED", "ciphertext is shorter than the authentication tag");
    }
    const out = this.aead.decrypt(this.k, this.nextNonce(), ad, ciphertext);
    if (out === undefined) {
      throw new NoiseError(
        "NOISE_DECRYPT_FAILED",
        "decryption failed: message not authentic for this session",
      );
    }
    this.n++;
    return out;
  }

  private nextNonce(): Uint8Array {
    if (this.n >= NONCE_LIMIT)
      throw new NoiseError("NOISE_STATE", "nonce space exhausted: rekey or reconnect");
    this.nonceView.setBigUint64(4, this.n, true);
    return this.nonceBuf;
  }
}
