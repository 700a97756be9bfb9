import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MerkleTree, multiproofSize, verifyMultiproof } from "../src/merkle.js";
import { hashWords, sha256, wordsToBytes } from "../src/sha256.js";
import { Transcript } from "../src/transcript.js";

const ref = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

describe("SHA-256", () => {
  it("matches node:crypto on every length across block boundaries", () => {
    for (let len = 0; len < 140; len++) {
      const b = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 255);
      expect(sha256(b)).toEqual(ref(b));
    }
    for (let words = 0; words < 40; words++) {
      const w = Uint32Array.from({ length: words }, (_, i) => (i * 0x9e3779b9) >>> 0);
      const out = new Uint32Array(8);
      hashWords(w, 0, words, out, 0);
      expect(wordsToBytes(out)).toEqual(ref(wordsToBytes(w)));
    }
  });
});

describe("Merkle multiproofs", () => {
  const leaves = 64;
  const tree = MerkleTree.build(leaves, 3, (i, buf) => buf.set([i, i * 2, i * 3]));
  const digest = (i: number) => {
    const out = new Uint32Array(8);
    hashWords(Uint32Array.from([i, i * 2, i * 3]), 0, 3, out, 0);
    return out;
  };
  const digests = (idx: number[]) => {
    const d = new Uint32Array(idx.length * 8);
    for (const [k, i] of idx.entries()) d.set(digest(i), k * 8);
    return d;
  };

  it("verifies batches of any shape and rejects any tampering", () => {
    for (const idx of [[0], [63], [0, 1], [3, 4, 5, 40], [...Array(64).keys()], [1, 17, 33, 49]]) {
      const proof = tree.prove(idx);
      expect(proof.length / 8).toBe(multiproofSize(idx, 6));
      expect(verifyMultiproof(tree.root(), 6, idx, digests(idx), proof)).toBe(true);
      if (proof.length > 0) {
        const bad = Uint32Array.from(proof);
        bad[0]! ^= 1;
        expect(verifyMultiproof(tree.root(), 6, idx, digests(idx), bad)).toBe(false);
      }
      const extra = new Uint32Array(proof.length + 8);
      extra.set(proof);
      expect(verifyMultiproof(tree.root(), 6, idx, digests(idx), extra)).toBe(false);
    }
    expect(verifyMultiproof(tree.root(), 6, [2, 3], digests([3, 2]), tree.prove([2, 3]))).toBe(false);
    expect(verifyMultiproof(tree.root(), 6, [3, 2], digests([3, 2]), tree.prove([2, 3]))).toBe(false);
    expect(verifyMultiproof(tree.root(), 6, [64], digests([0]), tree.prove([0]))).toBe(false);
  });
});

describe("transcript", () => {
  it("is deterministic and sensitive to every absorbed word", () => {
    const a = new Transcript("t");
    const b = new Transcript("t");
    a.absorb(1, [1, 2, 3]);
    b.absorb(1, [1, 2, 3]);
    expect(a.challengeExt()).toEqual(b.challengeExt());
    const c = new Transcript("t");
    c.absorb(1, [1, 2, 4]);
    expect(c.challengeExt()).not.toEqual(new Transcript("t").challengeExt());
    // successive squeezes differ, and agree between two transcripts with the same history
    const x = a.challengeExt();
    expect(x).toEqual(b.challengeExt());
    expect(a.challengeExt()).not.toEqual(x);
  });
  it("grinds to the requested number of bits", () => {
    const t = new Transcript("g");
    const nonce = t.grind(8);
    expect(t.powBits(nonce)).toBeGreaterThanOrEqual(8);
  });
});
