import { SIGNING_DOMAINS, type SigningKey, signDomain, signingBytes, verifyDomain } from "@p2pnode/crypto";

/*
 * The DHT signs and verifies through packages/crypto: signDomain / verifyDomain, so every
 * signed byte string is len(tag) ‖ tag ‖ len(chain id) ‖ chain id ‖ payload and verification is
 * the one Ed25519 rule every consensus path uses. A datagram signature never verifies as a node
 * record or a mutable value, nor on another chain.
 */

/** The three contexts the DHT signs in, as packages/crypto names them. */
export const DHT_DOMAINS = {
  datagram: SIGNING_DOMAINS.dhtMessage,
  record: SIGNING_DOMAINS.dhtRecord,
  mutable: SIGNING_DOMAINS.dhtMutable,
} as const;
export type Domain = keyof typeof DHT_DOMAINS;

/** What the DHT needs of the node's identity: its public key and a way to sign. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(domain: Domain, payload: Uint8Array): Uint8Array;
}

/** Checks signatures of any key on this node's chain. */
export interface Verifier {
  verify(domain: Domain, publicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs as `key` on chain `chainId` (the genesis chain id; "p2pnode" without a genesis file). */
export function createSigner(key: SigningKey, chainId: string): Signer {
  signingBytes(DHT_DOMAINS.datagram, chainId, new Uint8Array(0)); // a bad chain id fails here, at start-up
  return {
    publicKey: key.publicKey,
    sign: (domain, payload) => signDomain(key, DHT_DOMAINS[domain], chainId, payload),
  };
}

/** A verifier that answers false, never throws, for keys and signatures of the wrong length. */
export function createVerifier(chainId: string): Verifier {
  signingBytes(DHT_DOMAINS.datagram, chainId, new Uint8Array(0));
  return {
    verify: (domain, publicKey, payload, signature) =>
      publicKey.length === 32 &&
      signature.length === 64 &&
      verifyDomain(signature, DHT_DOMAINS[domain], chainId, payload, publicKey),
  };
}
