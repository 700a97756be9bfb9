import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeVotePayload, fromHex, toHex } from "@p2pnode/codec";
import { describe, expect, it } from "vitest";
import {
  publicKeyReject,
  SIGNING_DOMAINS,
  signingBytes,
  signingKeyFromSeed,
  signVote,
  type VoteKind,
  verifyVote,
  voteSigningBytes,
} from "../src/index.js";

const vectors: {
  seed: string;
  publicKey: string;
  blockHash: string;
  votes: { kind: VoteKind; chainId: string; slot: number; signingBytes: string; signature: string }[];
} = JSON.parse(readFileSync(join(import.meta.dirname, "vectors", "consensus-signing.json"), "utf8"));
const key = signingKeyFromSeed(fromHex(vectors.seed, "seed", 32));
const hash = fromHex(vectors.blockHash, "hash", 32);

describe("consensus signing vectors (test/vectors/consensus-signing.json)", () => {
  it.each(vectors.votes)("$kind on $chainId at slot $slot: same signed bytes and signature", (v) => {
    expect(toHex(key.publicKey)).toBe(vectors.publicKey);
    expect(toHex(voteSigningBytes(v.kind, v.chainId, v.slot, hash))).toBe(v.signingBytes);
    expect(toHex(signVote(key, v.kind, v.chainId, v.slot, hash))).toBe(v.signature);
    expect(verifyVote(fromHex(v.signature, "sig"), v.kind, v.chainId, v.slot, hash, key.publicKey)).toBe(
      true,
    );
  });

  it("equals signingBytes over codec's vote payload", () => {
    for (const slot of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(toHex(voteSigningBytes("relay", "c", slot, hash))).toBe(
        toHex(signingBytes(SIGNING_DOMAINS.dsRelay, "c", encodeVotePayload(slot, hash))),
      );
    }
  });

  it("lays out len ‖ tag ‖ len ‖ chain ‖ slot u64 ‖ block hash", () => {
    const bytes = voteSigningBytes("commit", "c", 258, hash);
    const prefix = signingBytes(SIGNING_DOMAINS.dsCommit, "c", new Uint8Array());
    expect(toHex(bytes)).toBe(`${toHex(prefix)}0000000000000102${vectors.blockHash}`);
  });
});

describe("a vote signature verifies only where it was made", () => {
  const sig = signVote(key, "relay", "net-a", 5, hash);
  const other = signingKeyFromSeed(new Uint8Array(32).fill(8));
  const otherHash = new Uint8Array(32).fill(0xee);

  it.each([
    ["the original", "relay", "net-a", 5, hash, key.publicKey, true],
    ["as a commit signature", "commit", "net-a", 5, hash, key.publicKey, false],
    ["on another chain", "relay", "net-b", 5, hash, key.publicKey, false],
    ["in another slot", "relay", "net-a", 6, hash, key.publicKey, false],
    ["on another block", "relay", "net-a", 5, otherHash, key.publicKey, false],
    ["under another key", "relay", "net-a", 5, hash, other.publicKey, false],
  ] as const)("%s → %s", (_name, kind, chain, slot, h, pub, ok) => {
    expect(verifyVote(sig, kind, chain, slot, h, pub)).toBe(ok);
  });
});

describe("publicKeyReject (genesis validator keys)", () => {
  it.each([
    ["a real key", toHex(key.publicKey), null],
    ["the identity point", `01${"00".repeat(31)}`, "small-order public key"],
    ["y = p (non-canonical)", `ed${"ff".repeat(30)}7f`, "non-canonical public key encoding"],
    ["a y with no x", `02${"00".repeat(31)}`, "not a point on the curve"],
  ])("%s → %s", (_name, hex, reason) => {
    expect(publicKeyReject(fromHex(hex, "key", 32))).toBe(reason);
  });
});
