import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { ID_BYTES, sha256 } from "./node-id.js";

/*
 * Ed25519 through node:crypto (DESIGN.md §4: one verify implementation on every node). Every signed
 * byte string starts with a domain tag, a zero byte and the 32-byte network id, so a datagram
 * signature never verifies as a node record, a mutable record, or on another network.
 */

export const DOMAIN = {
  datagram: "p2pnode/dht/v1/datagram",
  record: "p2pnode/dht/v1/record",
  mutable: "p2pnode/dht/v1/mutable",
} as const;
export type Domain = keyof typeof DOMAIN;

export const SIGNATURE_BYTES = 64;
export const PUBLIC_KEY_BYTES = 32;

/** Network id: SHA-256 of the chain id, so DHTs of different networks never accept each other. */
export const networkIdOf = (chainId: string): Uint8Array => sha256(new TextEncoder().encode(chainId));

/** What the DHT needs of the node's identity: its public key and a way to sign. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(domain: Domain, data: Uint8Array): Uint8Array;
}

/** Verifies signatures of many keys; implementations cache parsed keys. */
export interface Verifier {
  verify(domain: Domain, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
}

function prefixes(networkId: Uint8Array): Record<Domain, Uint8Array> {
  if (networkId.length !== ID_BYTES) throw new RangeError(`network id must be 32 bytes`);
  const enc = new TextEncoder();
  const out = {} as Record<Domain, Uint8Array>;
  for (const [d, tag] of Object.entries(DOMAIN) as [Domain, string][]) {
    const t = enc.encode(tag);
    const p = new Uint8Array(t.length + 1 + ID_BYTES);
    p.set(t);
    p.set(networkId, t.length + 1);
    out[d] = p;
  }
  return out;
}

const concat = (a: Uint8Array, b: Uint8Array): Buffer => Buffer.concat([a, b]);

export function createSigner(publicKey: Uint8Array, privateKey: KeyObject, networkId: Uint8Array): Signer {
  const pre = prefixes(networkId);
  return {
    publicKey,
    sign: (domain, data) => new Uint8Array(sign(null, concat(pre[domain], data), privateKey)),
  };
}

// SPKI DER header of an Ed25519 public key; the raw 32 bytes follow it.
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * Verifier with an LRU of parsed public keys: parsing a key costs more than verifying with it on
 * node:crypto, and a DHT node sees the same few thousand keys again and again.
 */
export class KeyCache implements Verifier {
  private readonly keys = new Map<string, KeyObject | null>();
  private readonly pre: Record<Domain, Uint8Array>;

  constructor(
    networkId: Uint8Array,
    private readonly maxKeys = 10_000,
  ) {
    this.pre = prefixes(networkId);
  }

  verify(domain: Domain, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
    const key = this.keyObject(publicKey);
    if (key === null) return false;
    try {
      return verify(null, concat(this.pre[domain], data), key, signature);
    } catch {
      return false;
    }
  }

  private keyObject(publicKey: Uint8Array): KeyObject | null {
    const id = Buffer.from(publicKey).toString("hex");
    const hit = this.keys.get(id);
    if (hit !== undefined) {
      this.keys.delete(id);
      this.keys.set(id, hit);
      return hit;
    }
    let key: KeyObject | null;
    try {
      key = createPublicKey({ key: concat(SPKI_ED25519_PREFIX, publicKey), format: "der", type: "spki" });
    } catch {
      key = null; // not a point on the curve: remember that too
    }
    this.keys.set(id, key);
    if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    return key;
  }
}
