import { type Digest, type MerklePath, merkleNode, TREE_DEPTH } from "@p2pnode/stark";
import { ShieldedError } from "./errors.js";
import { EMPTY_ROOTS, Frontier, MAX_LEAVES } from "./frontier.js";

/**
 * The whole commitment tree, for whoever needs authentication paths (a wallet, a prover):
 * every completed node is stored once (level l keeps ⌊size/2^l⌋ nodes, ~2 digests per leaf),
 * so an append hashes only the subtrees it completes, and a path or the root hashes only the
 * partial nodes along the right edge (≤ 32 each). `truncate` undoes appends (a reorg).
 * Its root always equals the Frontier's (tested).
 */
export class CommitmentTree {
  /** levels[l] holds the completed nodes of level l, 8 words each. */
  private readonly levels: Uint32Array[] = Array.from({ length: TREE_DEPTH + 1 }, () => new Uint32Array(64));
  private readonly counts = new Array<number>(TREE_DEPTH + 1).fill(0);
  /** The partial node of each level on the right edge (undefined when none), for the current size. */
  private edge: (Digest | undefined)[] | undefined;

  get size(): number {
    return this.counts[0]!;
  }

  append(leaf: Digest): number {
    if (this.size >= MAX_LEAVES)
      throw new ShieldedError("TREE_FULL", `the commitment tree holds at most ${MAX_LEAVES} notes`);
    const position = this.size;
    let node = leaf;
    let idx = position;
    for (let l = 0; ; l++) {
      this.push(l, node);
      if (idx % 2 === 0 || l === TREE_DEPTH) break;
      node = merkleNode(this.node(l, idx - 1), node);
      idx = Math.floor(idx / 2);
    }
    this.edge = undefined;
    return position;
  }

  root(): Digest {
    return this.nodeAt(TREE_DEPTH, 0);
  }

  /** The authentication path of the leaf at `position` against the current root. */
  path(position: number): MerklePath {
    if (!Number.isInteger(position) || position < 0 || position >= this.size)
      throw new ShieldedError("UNKNOWN_LEAF", `no leaf at position ${position} (size ${this.size})`);
    const siblings: Digest[] = [];
    for (let l = 0; l < TREE_DEPTH; l++) siblings.push(this.nodeAt(l, Math.floor(position / 2 ** l) ^ 1));
    return { siblings, position };
  }

  leaf(position: number): Digest {
    if (position >= this.size) throw new ShieldedError("UNKNOWN_LEAF", `no leaf at position ${position}`);
    return this.node(0, position);
  }

  /** Drops every leaf from `size` on (undo of appends). */
  truncate(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size)
      throw new ShieldedError("UNKNOWN_LEAF", `cannot truncate a tree of ${this.size} leaves to ${size}`);
    for (let l = 0; l <= TREE_DEPTH; l++) this.counts[l] = Math.floor(size / 2 ** l);
    this.edge = undefined;
  }

  /** The chain's compact state of this tree: the last completed left node of each set bit. */
  frontier(): Frontier {
    const left = Array.from({ length: TREE_DEPTH }, (_, l) => {
      const n = this.counts[l]!;
      return n % 2 === 1 ? this.node(l, n - 1) : undefined;
    });
    return Frontier.fromParts(this.size, left);
  }

  /** Node i of level l in the current tree: stored, the partial right-edge node, or empty. */
  private nodeAt(l: number, i: number): Digest {
    if (i < this.counts[l]!) return this.node(l, i);
    if (i * 2 ** l >= this.size) return EMPTY_ROOTS[l]!;
    this.edge ??= this.rightEdge();
    return this.edge[l]!;
  }

  /** Bottom-up, the partial node of each level (≤ 32 hashes per tree size). */
  private rightEdge(): (Digest | undefined)[] {
    const edge: (Digest | undefined)[] = [undefined];
    const at = (l: number, i: number): Digest =>
      i < this.counts[l]! ? this.node(l, i) : i * 2 ** l >= this.size ? EMPTY_ROOTS[l]! : edge[l]!;
    for (let l = 1; l <= TREE_DEPTH; l++) {
      const i = this.counts[l]!;
      edge.push(i * 2 ** l < this.size ? merkleNode(at(l - 1, 2 * i), at(l - 1, 2 * i + 1)) : undefined);
    }
    return edge;
  }

  private node(l: number, i: number): Digest {
    return Array.from(this.levels[l]!.subarray(8 * i, 8 * i + 8));
  }

  private push(l: number, d: Digest): void {
    let arr = this.levels[l]!;
    const n = this.counts[l]!;
    if (8 * (n + 1) > arr.length) {
      const bigger = new Uint32Array(arr.length * 2);
      bigger.set(arr);
      arr = bigger;
      this.levels[l] = arr;
    }
    arr.set(d, 8 * n);
    this.counts[l] = n + 1;
  }
}
