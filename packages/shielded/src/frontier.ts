import { type Digest, EMPTY_LEAF, merkleNode, TREE_DEPTH } from "@p2pnode/stark";
import { concat, DIGEST_BYTES, digestFromBytes, digestToBytes } from "./bytes.js";
import { ShieldedError } from "./errors.js";

/** Roots of the empty subtrees: EMPTY[l] is the root of an empty subtree of height l. */
export const EMPTY_ROOTS: readonly Digest[] = (() => {
  const out: Digest[] = [EMPTY_LEAF];
  for (let l = 0; l < TREE_DEPTH; l++) out.push(merkleNode(out[l]!, out[l]!));
  return out;
})();

export const MAX_LEAVES = 2 ** TREE_DEPTH - 1;

/**
 * The state the chain keeps of the append-only note-commitment tree (depth 32): the number of
 * leaves and, for each set bit l of that number, the completed left subtree root at level l
 * (at most 32 digests, ~1 KiB). Appending costs one hash per completed subtree (amortized
 * fewer than two per leaf) and the root 32 more. A Frontier is immutable: `append` returns a
 * new one, so a block's undo data is simply the frontier before it.
 */
export class Frontier {
  private constructor(
    readonly size: number,
    /** left[l] is set exactly when bit l of size is 1. */
    private readonly left: readonly (Digest | undefined)[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, new Array(TREE_DEPTH).fill(undefined));
  }

  /** From a size and the left node of each of its set bits (CommitmentTree.frontier). */
  static fromParts(size: number, left: readonly (Digest | undefined)[]): Frontier {
    if (!Number.isInteger(size) || size < 0 || size > MAX_LEAVES || left.length !== TREE_DEPTH)
      throw new ShieldedError("MALFORMED", "frontier of the wrong shape");
    if (left.some((d, l) => (d !== undefined) !== bit(size, l)))
      throw new ShieldedError("MALFORMED", "frontier nodes do not match its size");
    return new Frontier(size, [...left]);
  }

  append(leaves: readonly Digest[]): Frontier {
    if (this.size + leaves.length > MAX_LEAVES)
      throw new ShieldedError("TREE_FULL", `the commitment tree holds at most ${MAX_LEAVES} notes`);
    const left = [...this.left];
    let size = this.size;
    for (const leaf of leaves) {
      let node = leaf;
      let l = 0;
      for (let idx = size; idx % 2 === 1; idx = Math.floor(idx / 2), l++) {
        node = merkleNode(left[l]!, node);
        left[l] = undefined;
      }
      left[l] = node;
      size++;
    }
    return new Frontier(size, left);
  }

  root(): Digest {
    let node = EMPTY_LEAF;
    for (let l = 0; l < TREE_DEPTH; l++) {
      node = bit(this.size, l) ? merkleNode(this.left[l]!, node) : merkleNode(node, EMPTY_ROOTS[l]!);
    }
    return node;
  }

  /** u32 size (big-endian), then the left digests of the set bits from level 0 up. */
  encode(): Uint8Array {
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, this.size, false);
    const parts: Uint8Array[] = [size];
    for (let l = 0; l < TREE_DEPTH; l++) if (bit(this.size, l)) parts.push(digestToBytes(this.left[l]!));
    return concat(...parts);
  }

  static decode(bytes: Uint8Array): Frontier {
    if (!(bytes instanceof Uint8Array) || bytes.length < 4 || bytes.length > 4 + TREE_DEPTH * DIGEST_BYTES)
      throw new ShieldedError("MALFORMED", "frontier of the wrong size");
    const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false);
    if (size > MAX_LEAVES) throw new ShieldedError("MALFORMED", "frontier size out of range");
    const left: (Digest | undefined)[] = new Array(TREE_DEPTH).fill(undefined);
    let off = 4;
    for (let l = 0; l < TREE_DEPTH; l++) {
      if (!bit(size, l)) continue;
      if (off + DIGEST_BYTES > bytes.length) throw new ShieldedError("MALFORMED", "frontier truncated");
      left[l] = digestFromBytes(bytes.subarray(off, off + DIGEST_BYTES), "frontier node");
      off += DIGEST_BYTES;
    }
    if (off !== bytes.length) throw new ShieldedError("MALFORMED", "trailing bytes after the frontier");
    return new Frontier(size, left);
  }
}

function bit(x: number, l: number): boolean {
  return Math.floor(x / 2 ** l) % 2 === 1;
}
