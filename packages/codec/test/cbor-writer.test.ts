import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  encodeCanonical,
  encodeSignedTransaction,
  encodeTransaction,
  type SignedTransaction,
  type TransferTx,
} from "../src/index.js";

const ints = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
const bigs = [...ints.map(BigInt), 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;

/** The generic cborg encoding of a transaction, to hold the hand-written writer against. */
function viaCborg(tx: TransferTx) {
  return {
    v: 1,
    kind: tx.kind,
    from: tx.from,
    to: tx.to,
    amount: tx.amount,
    fee: tx.fee,
    nonce: tx.nonce,
    memo: tx.memo,
  };
}

describe("the fixed-schema CBOR writer", () => {
  it("writes the same bytes as the generic canonical encoder at every integer and length boundary", () => {
    for (let i = 0; i < 400; i++) {
      const tx: TransferTx = {
        kind: "transfer",
        from: new Uint8Array(randomBytes(32)),
        to: new Uint8Array(randomBytes(20)),
        amount: pick(bigs, i),
        fee: pick(bigs, i * 7 + 3),
        nonce: pick(ints, i * 3 + 1),
        memo: new Uint8Array(randomBytes(pick([0, 1, 23, 24, 255, 256], i))),
      };
      expect(encodeTransaction(tx)).toEqual(encodeCanonical(viaCborg(tx)));
      const stx: SignedTransaction = { tx, signature: new Uint8Array(randomBytes(64)) };
      expect(encodeSignedTransaction(stx)).toEqual(encodeCanonical({ tx: viaCborg(tx), sig: stx.signature }));
    }
  });
});
