import { type SignedMessage, type SigningKey, signRaw, verify } from "./ed25519.js";
import { assertBytes, CryptoError } from "./errors.js";

/**
 * The contexts a p2pnode signature can be made in. A signature made in one never verifies
 * in another, nor on another chain (DESIGN.md §4). Add a tag here for each new context.
 */
export const SIGNING_DOMAINS = {
  tx: "p2pnode/tx/v1",
  block: "p2pnode/block/v1",
  handshake: "p2pnode/handshake/v1",
  dhtRecord: "p2pnode/dht-record/v1",
  dhtMessage: "p2pnode/dht-msg/v1",
  dhtMutable: "p2pnode/dht-mutable/v1",
  consensus: "p2pnode/consensus/v1",
  /** Dolev-Strong: the leader's proposal and every relay signature (set form: one payload for all). */
  dsRelay: "p2pnode/ds-relay/v1",
  /** Dolev-Strong: a validator's commit signature on the block it decided; f + 1 make a certificate. */
  dsCommit: "p2pnode/ds-commit/v1",
} as const;
export type SigningDomain = (typeof SIGNING_DOMAINS)[keyof typeof SIGNING_DOMAINS];

const DOMAIN_FORM = /^p2pnode\/[a-z0-9-]+\/v[0-9]+$/;
const CHAIN_ID_FORM = /^[a-z0-9][a-z0-9-]{0,62}$/; // the genesis schema's chainId
const ascii = new TextEncoder();

/**
 * The bytes that are signed: len(tag) ‖ tag ‖ len(chainId) ‖ chainId ‖ payload, lengths one
 * byte each. Length prefixes make the split unambiguous: no (tag, chain, payload) triple
 * produces the bytes of another.
 */
export function signingBytes(domain: SigningDomain, chainId: string, payload: Uint8Array): Uint8Array {
  assertBytes(payload, "signed payload");
  const prefix = prefixOf(domain, chainId);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}

// A node signs and verifies under a handful of (domain, chain) pairs; build each prefix once.
// Keyed domain → chain, so a lookup on the verify path builds no string.
const prefixes = new Map<string, Map<string, Uint8Array>>();
let cachedPrefixes = 0;

/** len(tag) ‖ tag ‖ len(chainId) ‖ chainId: what signingBytes puts before the payload (cached; do not modify). */
export function signingPrefix(domain: SigningDomain, chainId: string): Uint8Array {
  return prefixOf(domain, chainId);
}

function prefixOf(domain: string, chainId: string): Uint8Array {
  const cached = prefixes.get(domain)?.get(chainId);
  if (cached) return cached;
  if (typeof domain !== "string" || !DOMAIN_FORM.test(domain)) {
    throw new CryptoError(
      "BAD_DOMAIN",
      `signing domain: expected "p2pnode/<name>/v<N>", got ${String(domain)}`,
    );
  }
  if (typeof chainId !== "string" || !CHAIN_ID_FORM.test(chainId)) {
    throw new CryptoError(
      "BAD_DOMAIN",
      `chain id: expected lowercase letters, digits and dashes, got ${String(chainId)}`,
    );
  }
  const tag = ascii.encode(domain);
  const chain = ascii.encode(chainId);
  const prefix = new Uint8Array(2 + tag.length + chain.length);
  prefix[0] = tag.length;
  prefix.set(tag, 1);
  prefix[1 + tag.length] = chain.length;
  prefix.set(chain, 2 + tag.length);
  if (cachedPrefixes < 64) {
    // Bounded: chain ids come from config, a few per process.
    const byChain = prefixes.get(domain) ?? new Map<string, Uint8Array>();
    prefixes.set(domain, byChain);
    byChain.set(chainId, prefix);
    cachedPrefixes++;
  }
  return prefix;
}

export function signDomain(
  key: SigningKey,
  domain: SigningDomain,
  chainId: string,
  payload: Uint8Array,
): Uint8Array {
  return signRaw(key, signingBytes(domain, chainId, payload));
}

export function verifyDomain(
  signature: Uint8Array,
  domain: SigningDomain,
  chainId: string,
  payload: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  const s = signedDomain(signature, domain, chainId, payload, publicKey);
  return verify(s.signature, s.message, s.publicKey);
}

/** What verifyDomain checks, as one value to hand to a VerifyPool. */
export function signedDomain(
  signature: Uint8Array,
  domain: SigningDomain,
  chainId: string,
  payload: Uint8Array,
  publicKey: Uint8Array,
): SignedMessage {
  return { publicKey, message: signingBytes(domain, chainId, payload), signature };
}
