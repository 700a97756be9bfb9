import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Aead } from "./aead.js";
import { CipherState } from "./cipher-state.js";

const EMPTY = new Uint8Array(0);

/** Noise HKDF (§4.3) with SHA-256: HMAC-based, two 32-byte outputs. */
export function hkdf2(chainingKey: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const temp = hmac(sha256, chainingKey, ikm);
  const out1 = hmac(sha256, temp, Uint8Array.of(1));
  const in2 = new Uint8Array(33);
  in2.set(out1);
  in2[32] = 2;
  return [out1, hmac(sha256, temp, in2)];
}

/** Noise SymmetricState (§5.2): chaining key, handshake hash and the handshake's CipherState. */
export class SymmetricState {
  private ck: Uint8Array;
  private hash: Uint8Array;
  private readonly cs = new CipherState();

  constructor(protocolName: string) {
    const name = new TextEncoder().encode(protocolName);
    // Names of at most HASHLEN bytes are zero-padded, longer ones hashed (§5.2 InitializeSymmetric).
    const h = new Uint8Array(32);
    if (name.length <= 32) h.set(name);
    else h.set(sha256(name));
    this.hash = h;
    this.ck = h.slice();
  }

  get h(): Uint8Array {
    return this.hash;
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, k] = hkdf2(this.ck, ikm);
    this.ck = ck;
    this.cs.initializeKey(k);
  }

  mixHash(data: Uint8Array): void {
    this.hash = sha256.create().update(this.hash).update(data).digest();
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cs.encryptWithAd(this.hash, plaintext);
    this.mixHash(ct);
    return ct;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const pt = this.cs.decryptWithAd(this.hash, ciphertext);
    this.mixHash(ciphertext);
    return pt;
  }

  get hasKey(): boolean {
    return this.cs.hasKey();
  }

  /** The two transport ciphers: the first for initiator → responder, the second for the reverse. */
  split(aead?: Aead): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.ck, EMPTY);
    return [new CipherState(k1, 0n, aead), new CipherState(k2, 0n, aead)];
  }
}
