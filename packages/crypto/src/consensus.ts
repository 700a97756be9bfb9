import { encodeVotePayloadInto, VOTE_PAYLOAD_BYTES } from "@p2pnode/codec";
import { type SigningKey, signRaw, verify } from "./ed25519.js";
import { SIGNING_DOMAINS, signingPrefix } from "./signing.js";

/*
 * Dolev-Strong signatures. Every validator signs the same payload (slot, block hash) for a value,
 * so a relay carries a set of signatures over one message (the set form). Relay and commit
 * signatures use different tags: relaying a value does not mean deciding it, and a relay
 * signature must never count toward a certificate.
 */

export type VoteKind = "relay" | "commit";

const TAG_OF: Record<VoteKind, typeof SIGNING_DOMAINS.dsRelay | typeof SIGNING_DOMAINS.dsCommit> = {
  relay: SIGNING_DOMAINS.dsRelay,
  commit: SIGNING_DOMAINS.dsCommit,
};

/** len ‖ tag ‖ len ‖ chainId ‖ slot u64 ‖ blockHash: the exact bytes a vote signature covers. */
export function voteSigningBytes(
  kind: VoteKind,
  chainId: string,
  slot: number,
  blockHash: Uint8Array,
): Uint8Array {
  // signingBytes(tag, chainId, encodeVotePayload(slot, blockHash)) in one allocation: validators
  // build these bytes for every signature they check.
  const prefix = signingPrefix(TAG_OF[kind], chainId);
  const out = new Uint8Array(prefix.length + VOTE_PAYLOAD_BYTES);
  out.set(prefix);
  encodeVotePayloadInto(slot, blockHash, out, prefix.length);
  return out;
}

export function signVote(
  key: SigningKey,
  kind: VoteKind,
  chainId: string,
  slot: number,
  blockHash: Uint8Array,
): Uint8Array {
  return signRaw(key, voteSigningBytes(kind, chainId, slot, blockHash));
}

/** Our one verify rule over the vote's signing bytes. */
export function verifyVote(
  signature: Uint8Array,
  kind: VoteKind,
  chainId: string,
  slot: number,
  blockHash: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return verify(signature, voteSigningBytes(kind, chainId, slot, blockHash), publicKey);
}
