import { type Digest, merkleNode, pathRoot, TREE_DEPTH } from "@p2pnode/stark";
import { describe, expect, it } from "vitest";
import { CommitmentTree, EMPTY_ROOTS, Frontier, RootWindow, ShieldedError } from "../src/index.js";

const leaf = (i: number): Digest => [i, i + 1, i + 2, i + 3, 7, 7, 7, 7];

/** The root of a depth-32 tree by its definition, level by level. */
function naiveRoot(leaves: readonly Digest[]): Digest {
  let level = [...leaves];
  for (let l = 0; l < TREE_DEPTH; l++) {
    const up: Digest[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(merkleNode(level[i]!, level[i + 1] ?? EMPTY_ROOTS[l]!));
    level = up;
  }
  return level[0] ?? EMPTY_ROOTS[TREE_DEPTH]!;
}

describe("the note-commitment tree", () => {
  it("agrees with the definition, the frontier and every authentication path at each size", () => {
    const tree = new CommitmentTree();
    let frontier = Frontier.empty();
    const leaves: Digest[] = [];
    expect(tree.root()).toEqual(EMPTY_ROOTS[TREE_DEPTH]);
    for (let n = 1; n <= 19; n++) {
      leaves.push(leaf(n));
      expect(tree.append(leaf(n))).toBe(n - 1);
      frontier = frontier.append([leaf(n)]);
      const root = naiveRoot(leaves);
      expect(tree.root()).toEqual(root);
      expect(frontier.root()).toEqual(root);
      expect(tree.frontier().encode()).toEqual(frontier.encode());
      for (const i of [0, n - 1, n >> 1]) expect(pathRoot(leaves[i]!, tree.path(i))).toEqual(root);
    }
  });

  it("undoes appends: truncation restores the old root, an old frontier stays valid", () => {
    const tree = new CommitmentTree();
    for (let i = 0; i < 10; i++) tree.append(leaf(i));
    const before = tree.root();
    const frontier = tree.frontier();
    for (let i = 10; i < 23; i++) tree.append(leaf(i));
    const after = frontier.append(Array.from({ length: 13 }, (_, k) => leaf(10 + k)));
    expect(after.root()).toEqual(tree.root());
    expect(frontier.root()).toEqual(before);
    tree.truncate(10);
    expect(tree.root()).toEqual(before);
    expect(pathRoot(leaf(9), tree.path(9))).toEqual(before);
    expect(() => tree.path(10)).toThrow(ShieldedError);
    tree.append(leaf(99));
    expect(tree.root()).toEqual(naiveRoot([...Array.from({ length: 10 }, (_, i) => leaf(i)), leaf(99)]));
  });

  it("persists its frontier in a checked encoding", () => {
    const f = Frontier.empty().append(Array.from({ length: 13 }, (_, i) => leaf(i)));
    const bytes = f.encode();
    expect(bytes.length).toBe(4 + 3 * 32); // 13 = 0b1101: three left nodes
    expect(Frontier.decode(bytes).root()).toEqual(f.root());
    for (const bad of [bytes.subarray(0, 40), new Uint8Array([...bytes, 0]), new Uint8Array(3)])
      expect(() => Frontier.decode(bad)).toThrow(ShieldedError);
    const nonCanonical = Uint8Array.from(bytes);
    nonCanonical.fill(0xff, 4, 8);
    expect(() => Frontier.decode(nonCanonical)).toThrow(ShieldedError);
  });
});

describe("the window of recent roots", () => {
  it("keeps the last N roots and restores an evicted one when a block is undone", () => {
    const w = new RootWindow(3);
    const evicted: (Digest | undefined)[] = [];
    for (let i = 0; i < 5; i++) evicted.push(w.push(leaf(i)));
    expect(w.list()).toEqual([leaf(2), leaf(3), leaf(4)]);
    expect(w.has(leaf(1))).toBe(false);
    expect(w.has(leaf(3))).toBe(true);
    expect(w.pop(evicted[4])).toEqual(leaf(4));
    expect(w.pop(evicted[3])).toEqual(leaf(3));
    expect(w.list()).toEqual([leaf(0), leaf(1), leaf(2)]);
    expect(RootWindow.decode(w.encode()).list()).toEqual(w.list());
    expect(() => RootWindow.decode(w.encode().subarray(0, 10))).toThrow(ShieldedError);
  });
});
