import type { Block, BlockHeader, SignedTransaction, Transaction } from "../src/index.js";

/*
 * The inputs of the committed test vectors. gen-vectors.ts turns them into
 * test/vectors/*.json; change a case here only together with a format version bump.
 */

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const counting = (length: number, start = 0) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

export const headerCases: { name: string; header: BlockHeader }[] = [
  {
    name: "zero header (genesis shape)",
    header: {
      version: 1,
      height: 0,
      prevHash: filled(32, 0),
      txRoot: filled(32, 0),
      stateRoot: filled(32, 0),
      timestamp: 0,
      target: filled(32, 0xff),
      miner: filled(20, 0),
      nonce: 0n,
    },
  },
  {
    name: "typical header",
    header: {
      version: 1,
      height: 12_345,
      prevHash: counting(32, 0x00),
      txRoot: counting(32, 0x20),
      stateRoot: counting(32, 0x40),
      timestamp: 1_700_000_000_123,
      target: Uint8Array.from([0x00, 0x00, 0x0f, ...filled(29, 0xff)]),
      miner: counting(20, 0xa0),
      nonce: 0x0123_4567_89ab_cdefn,
    },
  },
  {
    name: "largest integers",
    header: {
      version: 1,
      height: Number.MAX_SAFE_INTEGER,
      prevHash: filled(32, 0xff),
      txRoot: filled(32, 0xee),
      stateRoot: filled(32, 0xdd),
      timestamp: Number.MAX_SAFE_INTEGER,
      target: filled(32, 0x01),
      miner: filled(20, 0xff),
      nonce: 2n ** 64n - 1n,
    },
  },
];

export const transactionCases: { name: string; tx: Transaction }[] = [
  {
    name: "transfer, all zero",
    tx: {
      kind: "transfer",
      from: filled(32, 0),
      to: filled(20, 0),
      amount: 0n,
      fee: 0n,
      nonce: 0,
      memo: new Uint8Array(),
    },
  },
  {
    name: "transfer with a text memo",
    tx: {
      kind: "transfer",
      from: counting(32, 0x10),
      to: counting(20, 0x80),
      amount: 1_000_000n,
      fee: 1_000n,
      nonce: 7,
      memo: new TextEncoder().encode("hello p2pnode"),
    },
  },
  {
    name: "transfer at every integer boundary",
    tx: {
      kind: "transfer",
      from: filled(32, 0xff),
      to: filled(20, 0xff),
      amount: 2n ** 64n - 1n,
      fee: 2n ** 53n,
      nonce: Number.MAX_SAFE_INTEGER,
      memo: filled(256, 0x5a),
    },
  },
  {
    name: "transfer with CBOR length boundaries (23/24 byte memo, 255 amount)",
    tx: {
      kind: "transfer",
      from: counting(32, 0x33),
      to: counting(20, 0x44),
      amount: 255n,
      fee: 24n,
      nonce: 23,
      memo: filled(24, 0x00),
    },
  },
];

/** The spend every shielded kind carries; a stand-in proof (the codec does not verify proofs). */
const spend = {
  anchor: counting(32, 0x01),
  nullifiers: [counting(32, 0x21), counting(32, 0x41)] as const,
  commitments: [counting(32, 0x61), counting(32, 0x81)] as const,
  notes: [filled(90, 0xa1), filled(90, 0xa2)] as const,
  proof: counting(64, 0x00),
};

/** The shielded kinds (PROTOCOL.md §4.1). */
export const shieldedCases: { name: string; tx: Transaction }[] = [
  {
    name: "shield (account → notes)",
    tx: { kind: "shield", from: counting(32, 0x10), amount: 5_000n, fee: 10n, nonce: 3, ...spend },
  },
  { name: "shielded transfer (notes → notes)", tx: { kind: "shielded", fee: 7n, ...spend } },
  {
    name: "unshield (notes → account)",
    tx: { kind: "unshield", to: counting(20, 0x80), amount: 2n ** 64n - 1n, fee: 0n, ...spend },
  },
];
transactionCases.push(...shieldedCases);

/** A fixed stand-in signature: codec does not verify, crypto has the real signed vectors. */
export const SIGNATURE = counting(64, 0xc0);

/** Transfers and shields carry a signature; the unsigned shielded kinds an empty one. */
export const signedCases: { name: string; stx: SignedTransaction }[] = transactionCases.map((c) => ({
  name: c.name,
  stx: {
    tx: c.tx,
    signature: c.tx.kind === "transfer" || c.tx.kind === "shield" ? SIGNATURE : new Uint8Array(0),
  },
}));

export const blockCases: { name: string; block: Block }[] = [
  { name: "empty block", block: { header: headerCases[0]!.header, txs: [] } },
  {
    name: "block with two transfers",
    block: { header: headerCases[1]!.header, txs: [signedCases[0]!.stx, signedCases[1]!.stx] },
  },
];
