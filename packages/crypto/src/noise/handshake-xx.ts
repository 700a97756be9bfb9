import { x25519 } from "@noble/curves/ed25519.js";
import type { Aead } from "./aead.js";
import { type CipherState, NOISE_MAX_MESSAGE, TAG_BYTES } from "./cipher-state.js";
import { NoiseError } from "./errors.js";
import { SymmetricState } from "./symmetric-state.js";

export const NOISE_PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
const DH_BYTES = 32;

export interface X25519KeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** An X25519 key pair; random unless `privateKey` is given (test vectors, a persisted static key). */
export function x25519KeyPair(privateKey?: Uint8Array): X25519KeyPair {
  const priv = privateKey ?? x25519.utils.randomSecretKey();
  if (!(priv instanceof Uint8Array) || priv.length !== DH_BYTES) {
    throw new NoiseError("NOISE_BAD_KEY", "x25519 private key: expected 32 bytes");
  }
  return { privateKey: priv, publicKey: x25519.getPublicKey(priv) };
}

function dh(kp: X25519KeyPair, publicKey: Uint8Array): Uint8Array {
  try {
    // noble refuses low-order points (an all-zero shared secret), which would void the DH.
    return x25519.getSharedSecret(kp.privateKey, publicKey);
  } catch {
    throw new NoiseError("NOISE_BAD_KEY", "x25519: the peer's public key is of low order or malformed");
  }
}

export interface NoiseXXOptions {
  initiator: boolean;
  /** Long-term (per process) X25519 key; the identity key signs it in the payload. */
  staticKey: X25519KeyPair;
  /** Both sides must use the same prologue or the second message fails to decrypt. */
  prologue?: Uint8Array;
  /** Fixed ephemeral key: test vectors only. A reused ephemeral key breaks forward secrecy. */
  ephemeralKey?: X25519KeyPair;
}

export interface TransportCiphers {
  send: CipherState;
  receive: CipherState;
}

/** A payload, or a function that builds it from the handshake hash it will be bound to. */
export type PayloadSource = Uint8Array | ((handshakeHash: Uint8Array) => Uint8Array);

/**
 * The Noise XX handshake (§7.5):  -> e   <- e, ee, s, es   -> s, se
 * Three messages; each side learns the other's static key, authenticated by the DHs. Any failed
 * read ends the handshake for good (§5: a DECRYPT failure aborts it).
 */
export class NoiseXX {
  private readonly ss = new SymmetricState(NOISE_PROTOCOL_NAME);
  private readonly s: X25519KeyPair;
  private e: X25519KeyPair | undefined;
  private re: Uint8Array | undefined;
  private rs: Uint8Array | undefined;
  private step = 0;
  private failed = false;
  private lastPayloadHash: Uint8Array = new Uint8Array(0);

  constructor(private readonly o: NoiseXXOptions) {
    this.s = o.staticKey;
    this.ss.mixHash(o.prologue ?? new Uint8Array(0));
  }

  get initiator(): boolean {
    return this.o.initiator;
  }

  get complete(): boolean {
    return this.step === 3;
  }

  /** The remote static X25519 key, once its message has been read. */
  get remoteStaticKey(): Uint8Array | undefined {
    return this.rs;
  }

  /** The handshake hash h that the last written or read payload was encrypted under (its AD). */
  get payloadHash(): Uint8Array {
    return this.lastPayloadHash;
  }

  /** The final handshake hash: a session id both sides agree on, for channel binding. */
  get handshakeHash(): Uint8Array {
    if (!this.complete)
      throw new NoiseError("NOISE_STATE", "the handshake hash is only available after the handshake");
    return this.ss.h;
  }

  private get myTurn(): boolean {
    return (this.step % 2 === 0) === this.o.initiator;
  }

  private guard(writing: boolean): void {
    if (this.failed) throw new NoiseError("NOISE_STATE", "the handshake has failed");
    if (this.step >= 3) throw new NoiseError("NOISE_STATE", "the handshake is already complete");
    if (this.myTurn !== writing) throw new NoiseError("NOISE_STATE", "not this side's turn");
  }

  writeMessage(payload: PayloadSource = new Uint8Array(0)): Uint8Array {
    this.guard(true);
    const parts: Uint8Array[] = [];
    if (this.step === 0 || this.step === 1) {
      this.e = this.o.ephemeralKey ?? x25519KeyPair();
      parts.push(this.e.publicKey);
      this.ss.mixHash(this.e.publicKey);
    }
    if (this.step === 1) {
      this.ss.mixKey(dh(this.e!, this.re!)); // ee
      parts.push(this.ss.encryptAndHash(this.s.publicKey)); // s
      this.ss.mixKey(dh(this.s, this.re!)); // es (responder side)
    }
    if (this.step === 2) {
      parts.push(this.ss.encryptAndHash(this.s.publicKey)); // s
      this.ss.mixKey(dh(this.s, this.re!)); // se (initiator side)
    }
    this.lastPayloadHash = this.ss.h;
    const body = typeof payload === "function" ? payload(this.ss.h) : payload;
    parts.push(this.ss.encryptAndHash(body));
    const out = concat(parts);
    if (out.length > NOISE_MAX_MESSAGE) {
      this.failed = true;
      throw new NoiseError("NOISE_BAD_MESSAGE", `handshake message of ${out.length} bytes exceeds 65535`);
    }
    this.step++;
    return out;
  }

  readMessage(message: Uint8Array): Uint8Array {
    this.guard(false);
    try {
      return this.read(message);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private read(message: Uint8Array): Uint8Array {
    if (!(message instanceof Uint8Array) || message.length > NOISE_MAX_MESSAGE) {
      throw new NoiseError("NOISE_BAD_MESSAGE", "handshake message: expected at most 65535 bytes");
    }
    const fixed = [DH_BYTES, DH_BYTES + DH_BYTES + TAG_BYTES + TAG_BYTES, DH_BYTES + TAG_BYTES + TAG_BYTES][
      this.step
    ]!;
    if (message.length < fixed) {
      throw new NoiseError("NOISE_BAD_MESSAGE", `handshake message ${this.step + 1} is truncated`);
    }
    let off = 0;
    if (this.step === 0 || this.step === 1) {
      this.re = message.slice(0, DH_BYTES);
      off = DH_BYTES;
      this.ss.mixHash(this.re);
    }
    if (this.step === 1) {
      this.ss.mixKey(dh(this.e!, this.re!)); // ee
      this.rs = this.ss.decryptAndHash(message.subarray(off, off + DH_BYTES + TAG_BYTES)); // s
      off += DH_BYTES + TAG_BYTES;
      this.ss.mixKey(dh(this.e!, this.rs)); // es (initiator side)
    }
    if (this.step === 2) {
      const rs = this.ss.decryptAndHash(message.subarray(0, DH_BYTES + TAG_BYTES)); // s
      off = DH_BYTES + TAG_BYTES;
      this.ss.mixKey(dh(this.e!, rs)); // se (responder side)
      this.rs = rs;
    }
    this.lastPayloadHash = this.ss.h;
    const payload = this.ss.decryptAndHash(message.subarray(off));
    this.step++;
    return payload;
  }

  /** The transport ciphers, oriented for this side; `aead` picks the implementation (same bytes). */
  split(aead?: Aead): TransportCiphers {
    if (!this.complete) throw new NoiseError("NOISE_STATE", "split before the handshake completed");
    const [c1, c2] = this.ss.split(aead);
    return this.o.initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 };
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
