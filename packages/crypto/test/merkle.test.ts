import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { merkleProof, merkleRoot, sha256, verifyMerkleProof } from "../src/index.js";
import { merkleLeafHash, merkleNodeHash } from "../src/merkle.js";

const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");
const b = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** The RFC 6962 reference inputs (Certificate Transparency's tests) and the roots of each prefix. */
const CT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(b);
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/** RFC 6962's MTH, recursively defined: node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n (§2.1). */
const mth = (d: Uint8Array[]): Uint8Array => {
  if (d.length === 1) return merkleLeafHash(d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return merkleNodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
};

const ids = (n: number) => Array.from({ length: n }, (_, i) => sha256(Uint8Array.of(i & 0xff, i >> 8)));

describe("Merkle tree (RFC 6962)", () => {
  it("matches the RFC 6962 reference roots for 1..8 leaves", () => {
    CT_ROOTS.forEach((root, i) => {
      expect(hex(merkleRoot(CT_LEAVES.slice(0, i + 1)))).toBe(root);
    });
  });

  it("over 32-byte leaves (tx ids) gives RFC 6962's MTH, recursively defined", () => {
    for (const n of [...Array.from({ length: 70 }, (_, i) => i + 1), 255, 256, 257, 1000]) {
      const leaves = ids(n);
      expect(hex(merkleRoot(leaves)), `${n} leaves`).toBe(hex(mth(leaves)));
    }
  });

  it("over leaves of every length up to 200 bytes (node:crypto beyond the short hash) gives MTH too", () => {
    const leaves = Array.from({ length: 201 }, (_, len) => randomBytes(len));
    for (const n of [1, 2, 3, 64, 117, 118, 119, 120, 201]) {
      const some = leaves.slice(201 - n);
      expect(hex(merkleRoot(some)), `${n} leaves`).toBe(hex(mth(some)));
    }
  });

  it("has SHA-256('') as the root of no leaves", () => {
    expect(hex(merkleRoot([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("gives a different root when the last leaf is duplicated (no CVE-2012-2459)", () => {
    for (const n of [1, 3, 5, 6, 7, 9]) {
      const leaves = ids(n);
      expect(hex(merkleRoot([...leaves, leaves[n - 1]!]))).not.toBe(hex(merkleRoot(leaves)));
    }
    // Bitcoin's case: [a, b, c] vs [a, b, c, c].
    const [a, b2, c] = ids(3) as [Uint8Array, Uint8Array, Uint8Array];
    expect(hex(merkleRoot([a, b2, c]))).not.toBe(hex(merkleRoot([a, b2, c, c])));
  });

  it("a leaf cannot pose as an inner node (domain-separated hashing)", () => {
    const leaves = ids(2);
    const root = merkleRoot(leaves);
    // The concatenation of the two leaf hashes, as a single leaf, does not give the same root.
    const inner = Uint8Array.of(
      ...sha256(Uint8Array.of(0), leaves[0]!),
      ...sha256(Uint8Array.of(0), leaves[1]!),
    );
    expect(hex(merkleRoot([inner]))).not.toBe(hex(root));
  });

  it("proves every leaf of trees of 1..33 leaves (odd and even counts)", () => {
    for (let n = 1; n <= 33; n++) {
      const leaves = ids(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(leaves, i);
        expect(proof.path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyMerkleProof(root, leaves[i]!, proof)).toBe(true);
      }
    }
  });

  it("refuses tampered proofs", () => {
    const leaves = ids(11);
    const root = merkleRoot(leaves);
    const proof = merkleProof(leaves, 6);
    const other = sha256(Uint8Array.of(99));
    const flip = (u: Uint8Array) => Uint8Array.from(u, (x, i) => (i === 0 ? x ^ 1 : x));
    const cases = {
      "another leaf": () => verifyMerkleProof(root, leaves[5]!, proof),
      "a foreign leaf": () => verifyMerkleProof(root, other, proof),
      "another index": () => verifyMerkleProof(root, leaves[6]!, { ...proof, index: 7 }),
      // Sizes whose tree has another shape at this index fail; the size of a block's tree is
      // its tx count, which the verifier takes from the block, not from the proof.
      "another size": () => verifyMerkleProof(root, leaves[6]!, { ...proof, size: 7 }),
      "a flipped sibling": () =>
        verifyMerkleProof(root, leaves[6]!, {
          ...proof,
          path: proof.path.map((p, i) => (i === 1 ? flip(p) : p)),
        }),
      "a dropped sibling": () => verifyMerkleProof(root, leaves[6]!, { ...proof, path: proof.path.slice(1) }),
      "an extra sibling": () =>
        verifyMerkleProof(root, leaves[6]!, { ...proof, path: [...proof.path, other] }),
      "reordered siblings": () =>
        verifyMerkleProof(root, leaves[6]!, { ...proof, path: [...proof.path].reverse() }),
      "another root": () => verifyMerkleProof(flip(root), leaves[6]!, proof),
      "index past size": () => verifyMerkleProof(root, leaves[6]!, { ...proof, index: 11 }),
      "negative index": () => verifyMerkleProof(root, leaves[6]!, { ...proof, index: -1 }),
      "a short sibling": () =>
        verifyMerkleProof(root, leaves[6]!, {
          ...proof,
          path: [proof.path[0]!.subarray(1), ...proof.path.slice(1)],
        }),
    };
    expect(verifyMerkleProof(root, leaves[6]!, proof)).toBe(true);
    for (const [name, check] of Object.entries(cases)) expect([name, check()]).toEqual([name, false]);
  });

  it("refuses to build a proof for an index outside the tree", () => {
    expect(() => merkleProof(ids(3), 3)).toThrow(expect.objectContaining({ code: "BAD_PROOF" }));
  });
});
