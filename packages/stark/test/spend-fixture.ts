import {
  type Digest,
  EMPTY_LEAF,
  merkleNode,
  noteCommitment,
  type SpendInput,
  type SpendWitness,
  spendPk,
  TREE_DEPTH,
} from "../src/index.js";

/** A depth-32 tree holding `leaves` from position 0 (the rest empty), built natively. */
export function smallTree(leaves: readonly Digest[]): {
  root: Digest;
  path: (i: number) => { siblings: Digest[]; position: number };
} {
  const empties: Digest[] = [EMPTY_LEAF];
  for (let l = 0; l < TREE_DEPTH; l++) empties.push(merkleNode(empties[l]!, empties[l]!));
  const levels: Digest[][] = [[...leaves]];
  for (let l = 0; l < TREE_DEPTH; l++) {
    const below = levels[l]!;
    const up: Digest[] = [];
    for (let i = 0; i < below.length; i += 2) up.push(merkleNode(below[i]!, below[i + 1] ?? empties[l]!));
    levels.push(up.length ? up : [empties[l + 1]!]);
  }
  return {
    root: levels[TREE_DEPTH]![0]!,
    path: (i) => ({
      siblings: Array.from({ length: TREE_DEPTH }, (_, l) => levels[l]![(i >> l) ^ 1] ?? empties[l]!),
      position: i,
    }),
  };
}

export const ALICE = [11, 22, 33, 44];
export const BOB = [55, 66, 77, 88];

/** Alice owns notes of 700, 2^63 and 2^63 at positions 1–3 of a four-note tree. */
export const notes = [
  { sk: BOB, value: 5n, rho: [9, 9, 9, 9], r: [1, 2, 3, 4] },
  { sk: ALICE, value: 700n, rho: [1, 2, 3, 4], r: [5, 6, 7, 8] },
  { sk: ALICE, value: 2n ** 63n, rho: [4, 3, 2, 1], r: [8, 7, 6, 5] },
  { sk: ALICE, value: 2n ** 63n, rho: [6, 6, 6, 6], r: [8, 7, 6, 5] },
];
export const tree = smallTree(notes.map((n) => noteCommitment(spendPk(n.sk), n.value, n.rho, n.r)));

export function input(i: number): SpendInput {
  return { ...notes[i]!, path: tree.path(i), real: true };
}
export function dummy(): SpendInput {
  return { sk: [3, 1, 4, 1], value: 0n, rho: [5, 9, 2, 6], r: [5, 3, 5, 8], path: tree.path(7), real: false };
}

/** Alice pays Bob 600 from her 700 note (and a dummy), 90 back to herself, fee 10. */
export function payment(over: Partial<SpendWitness> = {}): SpendWitness {
  return {
    inputs: [input(1), dummy()],
    outputs: [
      { pk: spendPk(BOB), value: 600n, r: [2, 2, 2, 2] },
      { pk: spendPk(ALICE), value: 90n, r: [3, 3, 3, 3] },
    ],
    root: tree.root,
    publicIn: 0n,
    publicOut: 0n,
    fee: 10n,
    txHash: new Uint8Array(32).fill(7),
    ...over,
  };
}
