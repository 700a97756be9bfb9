import { toHex } from "@p2pnode/codec";
import { signingKeyFromSeed, signVote, type VoteKind, voteSigningBytes } from "../src/index.js";

/*
 * Vectors of Dolev-Strong vote signatures: the exact signed bytes (tag, chain id, slot, block
 * hash) and the deterministic Ed25519 signature of each, for both tags and two chains. Another
 * implementation must produce the same bytes to interoperate.
 */
export function consensusVectors() {
  const key = signingKeyFromSeed(new Uint8Array(32).fill(7));
  const blockHash = Uint8Array.from({ length: 32 }, (_, i) => i);
  const cases: { kind: VoteKind; chainId: string; slot: number }[] = [
    { kind: "relay", chainId: "p2pnode-devnet", slot: 1 },
    { kind: "commit", chainId: "p2pnode-devnet", slot: 1 },
    { kind: "relay", chainId: "p2pnode-main", slot: Number.MAX_SAFE_INTEGER },
    { kind: "commit", chainId: "p2pnode-main", slot: 4_294_967_296 },
  ];
  return {
    seed: toHex(new Uint8Array(32).fill(7)),
    publicKey: toHex(key.publicKey),
    blockHash: toHex(blockHash),
    votes: cases.map((c) => ({
      ...c,
      signingBytes: toHex(voteSigningBytes(c.kind, c.chainId, c.slot, blockHash)),
      signature: toHex(signVote(key, c.kind, c.chainId, c.slot, blockHash)),
    })),
  };
}
