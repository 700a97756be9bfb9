import { StarkError } from "./errors.js";
import { compress, hashWords, SHA256_IV } from "./sha256.js";

/**
 * A binary Merkle tree over SHA-256. A leaf is the SHA-256 of its words (big-endian); an inner
 * node is one bare compression of (left ‖ right) from the standard IV: exactly 64 bytes, so no
 * padding block is needed, which halves the work per node. Leaves and inner nodes cannot be
 * confused because the verifier knows the depth. Node i sits at words [8i, 8i+8), children of i
 * are 2i and 2i+1, so a node's two children form one contiguous 16-word block.
 */
export class MerkleTree {
  private constructor(
    readonly nodes: Uint32Array,
    readonly leafCount: number,
  ) {}

  /** Builds a tree whose leaf i hashes the `leafWords` words that `fillLeaf(i, buf)` writes. */
  static build(
    leafCount: number,
    leafWords: number,
    fillLeaf: (i: number, buf: Uint32Array) => void,
  ): MerkleTree {
    if (leafCount < 1 || (leafCount & (leafCount - 1)) !== 0)
      throw new StarkError("BAD_PARAMETERS", `Merkle leaf count ${leafCount} is not a power of two`);
    const nodes = new Uint32Array(leafCount * 16);
    const buf = new Uint32Array(leafWords);
    for (let i = 0; i < leafCount; i++) {
      fillLeaf(i, buf);
      hashWords(buf, 0, leafWords, nodes, (leafCount + i) * 8);
    }
    for (let i = leafCount - 1; i >= 1; i--) compress(SHA256_IV, 0, nodes, 16 * i, nodes, 8 * i);
    return new MerkleTree(nodes, leafCount);
  }

  get depth(): number {
    return Math.log2(this.leafCount);
  }

  root(): Uint32Array {
    return this.nodes.slice(8, 16);
  }

  /** Sibling nodes needed to authenticate the sorted, distinct leaf `indices` together. */
  prove(indices: readonly number[]): Uint32Array {
    const out: number[] = [];
    let positions = indices.map((i) => i + this.leafCount);
    while (positions[0] !== 1) {
      const next: number[] = [];
      for (let k = 0; k < positions.length; k++) {
        const pos = positions[k]!;
        if (positions[k + 1] === (pos ^ 1)) k++;
        else for (let w = 0; w < 8; w++) out.push(this.nodes[(pos ^ 1) * 8 + w]!);
        next.push(pos >> 1);
      }
      positions = next;
    }
    return Uint32Array.from(out);
  }
}

/** Number of sibling nodes a batch opening of these sorted distinct indices carries. */
export function multiproofSize(indices: readonly number[], depth: number): number {
  let positions = indices.map((i) => i + (1 << depth));
  let count = 0;
  while (positions[0] !== 1) {
    const next: number[] = [];
    for (let k = 0; k < positions.length; k++) {
      const pos = positions[k]!;
      if (positions[k + 1] === (pos ^ 1)) k++;
      else count++;
      next.push(pos >> 1);
    }
    positions = next;
  }
  return count;
}

/**
 * Checks a batch opening: `leafDigests` holds 8 words per index (same order as `indices`, which
 * must be sorted and distinct), `siblings` the nodes from `MerkleTree.prove`. All siblings must
 * be consumed, so a proof with extra nodes is rejected too.
 */
export function verifyMultiproof(
  root: Uint32Array,
  depth: number,
  indices: readonly number[],
  leafDigests: Uint32Array,
  siblings: Uint32Array,
): boolean {
  if (indices.length === 0 || leafDigests.length !== indices.length * 8) return false;
  const leafCount = 2 ** depth;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= leafCount || (k > 0 && i <= indices[k - 1]!)) return false;
  }
  let positions = indices.map((i) => i + leafCount);
  let digests = leafDigests;
  let used = 0;
  const block = new Uint32Array(16);
  while (positions[0] !== 1) {
    const next: number[] = [];
    const nextDigests = new Uint32Array(positions.length * 8);
    let n = 0;
    for (let k = 0; k < positions.length; k++) {
      const pos = positions[k]!;
      const own = digests.subarray(k * 8, k * 8 + 8);
      let sib: Uint32Array;
      if (positions[k + 1] === (pos ^ 1)) {
        sib = digests.subarray((k + 1) * 8, (k + 2) * 8);
        k++;
      } else {
        if (used + 8 > siblings.length) return false;
        sib = siblings.subarray(used, used + 8);
        used += 8;
      }
      if ((pos & 1) === 0) {
        block.set(own, 0);
        block.set(sib, 8);
      } else {
        block.set(sib, 0);
        block.set(own, 8);
      }
      compress(SHA256_IV, 0, block, 0, nextDigests, n * 8);
      next.push(pos >> 1);
      n++;
    }
    positions = next;
    digests = nextDigests.subarray(0, n * 8);
  }
  if (used !== siblings.length) return false;
  for (let w = 0; w < 8; w++) if (digests[w] !== root[w]) return false;
  return true;
}
