import { createCipheriv, createDecipheriv } from "node:crypto";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";

/**
 * ChaCha20-Poly1305 (RFC 8439) as Noise uses it. Two implementations with identical bytes:
 * @noble/ciphers (pure JS, the reference, used for the handshake) and OpenSSL via node:crypto
 * (~10x faster on this hardware, for bulk transport). Tests check they agree on every vector.
 * decrypt returns undefined when authentication fails.
 */
export interface Aead {
  encrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
}

export const nobleChaChaPoly: Aead = {
  encrypt: (key, nonce, ad, pt) => chacha20poly1305(key, nonce, ad).encrypt(pt),
  decrypt: (key, nonce, ad, ct) => {
    try {
      return chacha20poly1305(key, nonce, ad).decrypt(ct);
    } catch {
      return undefined;
    }
  },
};

const TAG = 16;

export const opensslChaChaPoly: Aead = {
  encrypt: (key, nonce, ad, pt) => {
    const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
    c.setAAD(ad, { plaintextLength: pt.length });
    const body = c.update(pt);
    c.final();
    const out = new Uint8Array(body.length + TAG);
    out.set(body);
    out.set(c.getAuthTag(), body.length);
    return out;
  },
  decrypt: (key, nonce, ad, ct) => {
    if (ct.length < TAG) return undefined;
    const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
    d.setAuthTag(ct.subarray(ct.length - TAG));
    d.setAAD(ad, { plaintextLength: ct.length - TAG });
    const body = d.update(ct.subarray(0, ct.length - TAG));
    try {
      d.final();
    } catch {
      return undefined;
    }
    return new Uint8Array(body.buffer, body.byteOffset, body.length);
  },
};
