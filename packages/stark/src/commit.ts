import { MerkleTree } from "./merkle.js";
import { hashWords } from "./sha256.js";
import { type RandomSource, SALT_WORDS } from "./zk.js";

/**
 * Row commitments. Without salts a leaf is SHA-256(row); in ZK mode it is SHA-256(row ‖ salt)
 * with a fresh 128-bit salt per leaf, revealed only for opened leaves: the root then says
 * nothing about unopened rows, even to someone who can guess a low-entropy witness and
 * recompute the rows it would give.
 */
export interface RowCommitment {
  tree: MerkleTree;
  /** SALT_WORDS per leaf, or undefined without ZK. */
  salts: Uint32Array | undefined;
}

export function commitRows(
  leafCount: number,
  rowWords: number,
  fillRow: (i: number, buf: Uint32Array) => void,
  random: RandomSource | undefined,
): RowCommitment {
  if (!random) return { tree: MerkleTree.build(leafCount, rowWords, fillRow), salts: undefined };
  const salts = new Uint32Array(leafCount * SALT_WORDS);
  random(salts);
  const tree = MerkleTree.build(leafCount, rowWords + SALT_WORDS, (i, buf) => {
    fillRow(i, buf);
    for (let s = 0; s < SALT_WORDS; s++) buf[rowWords + s] = salts[i * SALT_WORDS + s]!;
  });
  return { tree, salts };
}

/** The salts of the opened leaves, in query order (empty without ZK). */
export function openedSalts(c: RowCommitment, indices: readonly number[]): Uint32Array {
  if (!c.salts) return new Uint32Array(0);
  const out = new Uint32Array(indices.length * SALT_WORDS);
  const salts = c.salts;
  indices.forEach((i, k) => {
    out.set(salts.subarray(i * SALT_WORDS, (i + 1) * SALT_WORDS), k * SALT_WORDS);
  });
  return out;
}

/** Verifier side: the leaf digests of `count` opened rows (8 words each), salted when salts are given. */
export function leafDigests(
  rows: Uint32Array,
  rowWords: number,
  salts: Uint32Array | undefined,
  count: number,
): Uint32Array {
  const out = new Uint32Array(count * 8);
  if (!salts) {
    for (let k = 0; k < count; k++) hashWords(rows, k * rowWords, rowWords, out, k * 8);
    return out;
  }
  const buf = new Uint32Array(rowWords + SALT_WORDS);
  for (let k = 0; k < count; k++) {
    buf.set(rows.subarray(k * rowWords, (k + 1) * rowWords), 0);
    buf.set(salts.subarray(k * SALT_WORDS, (k + 1) * SALT_WORDS), rowWords);
    hashWords(buf, 0, buf.length, out, k * 8);
  }
  return out;
}
