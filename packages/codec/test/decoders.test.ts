import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  decodeBlock,
  decodeCanonical,
  decodeHeader,
  decodeSignedTransaction,
  decodeTransaction,
  encodeBlock,
  encodeCanonical,
  encodeSignedTransaction,
  encodeTransaction,
  HEADER_SIZE,
  MAX_BLOCK_BYTES,
  type SignedTransaction,
  splitBlock,
  type TransferTx,
} from "../src/index.js";

const tx: TransferTx = {
  kind: "transfer",
  from: new Uint8Array(32).fill(7),
  to: new Uint8Array(20).fill(8),
  amount: 10n,
  fee: 1n,
  nonce: 0,
  memo: new Uint8Array(),
};
const stx: SignedTransaction = { tx, signature: new Uint8Array(64).fill(9) };
const header = {
  version: 1,
  height: 1,
  prevHash: new Uint8Array(32),
  txRoot: new Uint8Array(32),
  stateRoot: new Uint8Array(32),
  timestamp: 1,
  target: new Uint8Array(32).fill(0xff),
  miner: new Uint8Array(20),
  nonce: 0n,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
  return "OK";
}

describe("decoders", () => {
  it("refuse an oversize block by its length alone, before reading it", () => {
    // All zeros: a header of version 0, which would be refused later; oversize must win.
    expect(codeOf(() => decodeBlock(new Uint8Array(MAX_BLOCK_BYTES + 1)))).toBe("DECODE_OVERSIZE");
  });

  it("refuse a huge declared CBOR length without allocating it", () => {
    // A byte string claiming 2^32-1 bytes in a 5-byte input.
    expect(codeOf(() => decodeCanonical(Uint8Array.from([0x5a, 0xff, 0xff, 0xff, 0xff]), "x"))).toBe(
      "DECODE_TRUNCATED",
    );
    expect(codeOf(() => decodeCanonical(Uint8Array.from([0x9b, ...new Array(8).fill(0xff)]), "x"))).toBe(
      "DECODE_OVERSIZE",
    );
  });

  it("refuse a CBOR value above the caller's limit", () => {
    expect(codeOf(() => decodeCanonical(encodeCanonical(new Uint8Array(100)), "x", 50))).toBe(
      "DECODE_OVERSIZE",
    );
  });

  it("throw only CodecError on random and mutated input", () => {
    const valid = [encodeTransaction(tx), encodeSignedTransaction(stx), encodeBlock({ header, txs: [stx] })];
    const decoders = [decodeTransaction, decodeSignedTransaction, decodeBlock, decodeHeader];
    for (let round = 0; round < 300; round++) {
      const base = valid[round % valid.length]!;
      const mutated = Uint8Array.from(base);
      const at = round % mutated.length;
      mutated[at] = mutated[at]! ^ (1 << (round % 8));
      for (const input of [mutated, randomBytes(round % 300), mutated.subarray(0, round % mutated.length)]) {
        for (const decode of decoders) {
          const code = codeOf(() => decode(input));
          expect(code).toMatch(/^(OK|DECODE_[A-Z]+)$/);
        }
      }
    }
  });

  it("split a block into views of the header and each tx", () => {
    const bytes = encodeBlock({ header, txs: [stx, stx] });
    const frames = splitBlock(bytes);
    expect(frames.header.length).toBe(HEADER_SIZE);
    expect(frames.txs).toHaveLength(2);
    expect(frames.txs[0]).toEqual(encodeSignedTransaction(stx));
  });

  it("take a block's known txs as they are, and decode the others", () => {
    const other: SignedTransaction = { tx: { ...tx, nonce: 1 }, signature: new Uint8Array(64).fill(3) };
    const bytes = encodeBlock({ header, txs: [stx, other] });
    const asked: Uint8Array[] = [];
    const block = decodeBlock(bytes, (frame) => {
      asked.push(frame);
      return Buffer.compare(frame, encodeSignedTransaction(stx)) === 0 ? stx : undefined;
    });
    expect(asked).toEqual(splitBlock(bytes).txs);
    expect(block.txs[0]).toBe(stx);
    expect(block.txs[1]).toEqual(other);
    expect(block).toEqual(decodeBlock(bytes));
  });

  it("report which tx of a block was bad", () => {
    const good = encodeBlock({ header, txs: [stx, stx] });
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] = 0xff; // last byte of the 2nd tx: part of its signature map... or nonce
    try {
      decodeBlock(bad);
    } catch (err) {
      expect((err as CodecError).message).toMatch(/block tx 1/);
    }
  });

  it("encoders refuse values outside the format", () => {
    expect(codeOf(() => encodeTransaction({ ...tx, memo: new Uint8Array(257) }))).toBe("ENCODE_INVALID");
    expect(codeOf(() => encodeTransaction({ ...tx, amount: -1n }))).toBe("ENCODE_INVALID");
    expect(codeOf(() => encodeTransaction({ ...tx, nonce: 2 ** 53 }))).toBe("ENCODE_INVALID");
    expect(codeOf(() => encodeTransaction({ ...tx, kind: "mint" } as unknown as TransferTx))).toBe(
      "ENCODE_INVALID",
    );
    expect(codeOf(() => encodeSignedTransaction({ tx, signature: new Uint8Array(63) }))).toBe(
      "ENCODE_INVALID",
    );
  });
});

describe("decoded values", () => {
  it("do not alias a Node Buffer input", () => {
    const input = Buffer.from(encodeSignedTransaction(stx));
    const decoded = decodeSignedTransaction(input);
    input.fill(0);
    expect(decoded).toEqual(stx);
    const headerBytes = Buffer.from(encodeBlock({ header, txs: [] }).subarray(0, HEADER_SIZE));
    const h = decodeHeader(headerBytes);
    headerBytes.fill(0xaa);
    expect(h).toEqual(header);
  });
});
