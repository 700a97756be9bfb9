import { type SignedMessage, type SigningKey, verify } from "../ed25519.js";
import { assertBytes } from "../errors.js";
import { SIGNING_DOMAINS, signDomain, signedDomain } from "../signing.js";

/*
 * Binds a node's Ed25519 identity to one Noise session: the identity key signs the Noise static
 * key together with the handshake hash at the point the payload is encrypted. The hash covers
 * both ephemeral keys, so the signature is fresh per session and a recorded payload cannot be
 * replayed in another handshake; the chain id in the signing domain keeps networks apart.
 */

function proofMessage(noiseStatic: Uint8Array, handshakeHash: Uint8Array): Uint8Array {
  assertBytes(noiseStatic, "noise static key", 32);
  assertBytes(handshakeHash, "handshake hash", 32);
  const m = new Uint8Array(64);
  m.set(noiseStatic);
  m.set(handshakeHash, 32);
  return m;
}

export function signNoiseIdentity(
  identity: SigningKey,
  chainId: string,
  noiseStatic: Uint8Array,
  handshakeHash: Uint8Array,
): Uint8Array {
  return signDomain(identity, SIGNING_DOMAINS.handshake, chainId, proofMessage(noiseStatic, handshakeHash));
}

export function verifyNoiseIdentity(
  signature: Uint8Array,
  chainId: string,
  noiseStatic: Uint8Array,
  handshakeHash: Uint8Array,
  identityPublicKey: Uint8Array,
): boolean {
  const s = noiseIdentitySignature(signature, chainId, noiseStatic, handshakeHash, identityPublicKey);
  return verify(s.signature, s.message, s.publicKey);
}

/** What verifyNoiseIdentity checks, as one value for a VerifyPool. */
export function noiseIdentitySignature(
  signature: Uint8Array,
  chainId: string,
  noiseStatic: Uint8Array,
  handshakeHash: Uint8Array,
  identityPublicKey: Uint8Array,
): SignedMessage {
  return signedDomain(
    signature,
    SIGNING_DOMAINS.handshake,
    chainId,
    proofMessage(noiseStatic, handshakeHash),
    identityPublicKey,
  );
}
