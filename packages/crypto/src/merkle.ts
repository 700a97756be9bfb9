import { equalBytes } from "@p2pnode/codec";
import { assertBytes, CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";
import { SHORT_SHA256_MAX, sha256Short } from "./sha256-short.js";
import { compress, SHA256_IV } from "./sha256-words.js";

/*
 * The Merkle tree of RFC 6962 §2.1 (Certificate Transparency), over SHA-256:
 *   leaf  = SHA-256(0x00 ‖ data)       node = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({}) = SHA-256("")              an odd node is carried up unchanged, never duplicated.
 * The 0x00/0x01 prefixes keep a leaf from passing for an inner node (second preimages), and
 * carrying instead of duplicating the last node means no two lists of leaves share a root:
 * Bitcoin's [a, b, c] and [a, b, c, c] collision (CVE-2012-2459) cannot happen here.
 * Leaves are transaction ids in blocks, but any bytes work.
 */

export interface MerkleProof {
  /** Position of the leaf, 0-based. */
  index: number;
  /**
   * Number of leaves in the tree. It fixes the proof's shape, so a verifier must take it from
   * a trusted source (a block's tx count), not from whoever sent the proof.
   */
  size: number;
  /** Sibling hashes from the leaf up to the root (RFC 6962's audit path). */
  path: Uint8Array[];
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);
const MAX_LEAVES = 2 ** 32;

export const merkleLeafHash = (data: Uint8Array): Uint8Array => sha256(LEAF, data);
export const merkleNodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(NODE, left, right);

/**
 * The root over `leaves` (each hashed as a leaf), on SHA-256's own 32-bit words: one level of
 * hashes lives in one word buffer, overwritten in place by the next, and each hash is one or two
 * calls of the compression on a message block built from the words with shifts (the 0x00/0x01
 * prefix puts every word of the children one byte off). No allocation per hash, no byte copies
 * between levels. A block's tree (32-byte tx ids) never leaves words; a leaf of another length is
 * hashed by sha256Short (or node:crypto past its length) and read into words. The same tree as
 * merkleLeafHash/merkleNodeHash build for proofs (the tests hold them equal).
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  checkLeaves(leaves);
  if (leaves.length === 0) return sha256();
  const level = new Uint32Array(leaves.length * 8);
  // Two message blocks; words the loops below never write stay zero.
  const block = new Uint32Array(32);
  const state = new Uint32Array(8);
  let other: Uint8Array | undefined;
  leaves.forEach((leaf, i) => {
    if (leaf.length === 32) {
      // 0x00 ‖ leaf ‖ 0x80 ‖ zeros ‖ 264 (bits): one block.
      let carry = 0x00;
      for (let j = 0; j < 8; j++) {
        const w = wordAt(leaf, 4 * j);
        block[j] = (carry << 24) | (w >>> 8);
        carry = w & 0xff;
      }
      block[8] = (carry << 24) | 0x800000;
      block[15] = 33 * 8;
      compress(SHA256_IV, 0, block, 0, level, 8 * i);
      block[8] = 0;
      block[15] = 0;
      return;
    }
    other ??= new Uint8Array(32);
    if (1 + leaf.length > SHORT_SHA256_MAX) other.set(merkleLeafHash(leaf));
    else {
      const message = new Uint8Array(1 + leaf.length);
      message.set(leaf, 1);
      sha256Short(message, message.length, other, 0);
    }
    for (let j = 0; j < 8; j++) level[8 * i + j] = wordAt(other, 4 * j);
  });
  // 0x01 ‖ left ‖ right ‖ 0x80 ‖ zeros ‖ 520 (bits): two blocks.
  block[31] = 65 * 8;
  for (let n = leaves.length; n > 1; n = (n + 1) >> 1) {
    // Node i of the next level from nodes 2i and 2i+1 (words 16i..16i+16), written over node i
    // (words 8i..8i+8: read before, as 8i+8 <= 16i for i >= 1, and node 0 is read first).
    for (let i = 0; 2 * i + 1 < n; i++) {
      let carry = 0x01;
      for (let j = 0; j < 16; j++) {
        const w = level[16 * i + j]!;
        block[j] = (carry << 24) | (w >>> 8);
        carry = w & 0xff;
      }
      block[16] = (carry << 24) | 0x800000;
      compress(SHA256_IV, 0, block, 0, state, 0);
      compress(state, 0, block, 16, level, 8 * i);
    }
    // An odd last node is carried up unchanged.
    if (n % 2 === 1) level.copyWithin(8 * (n >> 1), 8 * (n - 1), 8 * n);
  }
  const root = new Uint8Array(32);
  for (let j = 0; j < 8; j++) {
    const w = level[j]!;
    root[4 * j] = w >>> 24;
    root[4 * j + 1] = w >>> 16;
    root[4 * j + 2] = w >>> 8;
    root[4 * j + 3] = w;
  }
  return root;
}

/** The big-endian 32-bit word at bytes[at .. at+4). */
function wordAt(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** The inclusion proof of leaf `index`. */
export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProof {
  checkLeaves(leaves);
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new CryptoError(
      "BAD_PROOF",
      `merkle proof: index ${index} outside a tree of ${leaves.length} leaves`,
    );
  }
  const path: Uint8Array[] = [];
  let level = leaves.map(merkleLeafHash);
  for (let i = index; level.length > 1; i >>= 1) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length) path.push(level[sibling]!); // none: the node is carried up
    level = nextLevel(level);
  }
  return { index, size: leaves.length, path };
}

/**
 * Whether `proof` shows `leaf` at `proof.index` of the tree with `root` (RFC 9162 §2.1.3.2).
 * A proof of the wrong length for its index and size is false, never an exception.
 */
export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, proof: MerkleProof): boolean {
  assertBytes(root, "merkle root", 32);
  assertBytes(leaf, "merkle leaf");
  const { index, size, path } = proof ?? ({} as MerkleProof);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!Array.isArray(path) || path.length > 64) return false;
  let fn = index;
  let sn = size - 1;
  let r = merkleLeafHash(leaf);
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(level[i]!, level[i + 1]!));
  if (level.length % 2 === 1) next.push(level[level.length - 1]!);
  return next;
}

function checkLeaves(leaves: readonly Uint8Array[]): void {
  if (!Array.isArray(leaves)) throw new CryptoError("BAD_INPUT", "merkle leaves: expected an array");
  if (leaves.length > MAX_LEAVES) throw new CryptoError("BAD_INPUT", `merkle leaves: more than 2^32`);
  leaves.forEach((leaf, i) => {
    assertBytes(leaf, `merkle leaf ${i}`);
  });
}
