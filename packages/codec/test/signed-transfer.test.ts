import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeSignedTransaction,
  encodeCanonical,
  encodeSignedTransaction,
  encodeTransaction,
  MAX_MEMO_BYTES,
  type SignedTransaction,
  signatureAt,
  signatureBytesOf,
  signatureIn,
  type TransferTx,
  U64_MAX,
  unsignedBytesIn,
} from "../src/index.js";
import { readSignedTransfer } from "../src/signed-transfer.js";
import { decodeAnySignedTransaction } from "../src/transaction.js";
import { UINT_BOUNDARIES } from "./uint-boundaries.js";

/*
 * The transfer reader (signed-transfer.ts) is a shortcut in front of the general decoder: for
 * any bytes it must return exactly what the general decoder returns, or nothing. Checked on
 * random transfers (integers around every CBOR size boundary, memos up to the limit) and on
 * every kind of damage to their bytes.
 */

const boundaries = UINT_BOUNDARIES;
const u64 = fc.oneof(fc.constantFrom(...boundaries), fc.bigInt({ min: 0n, max: U64_MAX }));
const nonce = fc.oneof(
  fc.constantFrom(...boundaries.filter((b) => b <= 2n ** 53n - 1n).map(Number)),
  fc.nat(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const transfer: fc.Arbitrary<SignedTransaction> = fc.record({
  tx: fc.record({
    kind: fc.constant("transfer" as const),
    from: bytes(32),
    to: bytes(20),
    amount: u64,
    fee: u64,
    nonce,
    memo: fc.oneof(
      fc.uint8Array({ maxLength: MAX_MEMO_BYTES }),
      fc.constantFrom(23, 24, 255, 256).chain(bytes),
    ),
  }),
  signature: bytes(64),
});

/**
 * One change to encoded bytes: a byte replaced, removed or inserted, a cut, a byte appended, or
 * a head widened (a small argument written in the next longer form: the same value, not canonical).
 */
const damage = fc.oneof(
  fc.record({ at: fc.nat(), op: fc.constant("widen"), value: fc.constant(0) }),
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom("set", "delete", "insert"),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ at: fc.nat(), op: fc.constant("cut"), value: fc.constant(0) }),
  fc.record({ at: fc.nat(), op: fc.constant("append"), value: fc.integer({ min: 0, max: 255 }) }),
);
function damaged(b: Uint8Array, d: { at: number; op: string; value: number }): Uint8Array {
  const at = d.at % (b.length + 1);
  const out = [...b];
  if (d.op === "set") out[at % b.length] = d.value;
  else if (d.op === "delete") out.splice(at % b.length, 1);
  else if (d.op === "insert") out.splice(at, 0, d.value);
  else if (d.op === "cut") out.length = at;
  else if (d.op === "widen") {
    const head = out[at % b.length]!;
    if ((head & 0x1f) < 24) out.splice(at % b.length, 1, (head & 0xe0) | 24, head & 0x1f);
  } else out.push(d.value);
  return Uint8Array.from(out);
}

const general = (b: Uint8Array): SignedTransaction | Error => {
  try {
    return decodeAnySignedTransaction(b);
  } catch (err) {
    return err as Error;
  }
};

describe("signed transfer writer", () => {
  it("writes exactly cborg's canonical encoding of every transfer, and the unsigned part is encodeTransaction's", () => {
    fc.assert(
      fc.property(transfer, ({ tx, signature }) => {
        const t = tx as TransferTx;
        const oracle = encodeCanonical({
          tx: {
            v: 1,
            to: t.to,
            fee: t.fee,
            from: t.from,
            kind: t.kind,
            memo: t.memo,
            nonce: t.nonce,
            amount: t.amount,
          },
          sig: signature,
        });
        const b = encodeSignedTransaction({ tx, signature });
        expect(Buffer.from(b).equals(Buffer.from(oracle))).toBe(true);
        expect(Buffer.from(unsignedBytesIn(b)!).equals(Buffer.from(encodeTransaction(tx)))).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it("refuses what the general writer refuses, with its message", () => {
    const good = fc.sample(transfer, 1)[0]!;
    const bad = (edit: Record<string, unknown>) => () =>
      encodeSignedTransaction({ ...good, tx: { ...good.tx, ...edit } as SignedTransaction["tx"] });
    expect(bad({ to: new Uint8Array(19) })).toThrow(/transaction.to: expected 20 bytes/);
    expect(bad({ amount: U64_MAX + 1n })).toThrow(/transaction.amount/);
    expect(bad({ nonce: -1 })).toThrow(/transaction.nonce/);
    expect(bad({ memo: new Uint8Array(MAX_MEMO_BYTES + 1) })).toThrow(/transaction.memo/);
  });
});

describe("signed transfer reader", () => {
  it("reads every canonical transfer, the same as the general decoder", () => {
    fc.assert(
      fc.property(transfer, (stx) => {
        const b = encodeSignedTransaction(stx);
        const fast = readSignedTransfer(b);
        expect(fast).toBeDefined();
        expect(fast).toEqual(general(b));
        expect(fast).toEqual(stx);
      }),
      { numRuns: 2_000 },
    );
  });

  it("on damaged bytes returns the general decoder's result or nothing, never another value", () => {
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(transfer, fc.array(damage, { minLength: 1, maxLength: 3 }), (stx, ds) => {
        const b = ds.reduce(damaged, encodeSignedTransaction(stx));
        const fast = readSignedTransfer(b);
        const slow = general(b);
        if (fast === undefined) {
          // what the reader leaves is a valid tx of another shape or an error, never a transfer
          if (!(slow instanceof Error)) expect(slow.tx.kind).not.toBe("transfer");
          refused++;
        } else {
          expect(slow).not.toBeInstanceOf(Error);
          expect(fast).toEqual(slow);
          read++;
        }
      }),
      { numRuns: 20_000 },
    );
    // both branches ran (a damaged byte inside a field's value still reads)
    expect(read).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it("copies the fields out of the input, so a reused buffer does not change the decoded tx", () => {
    const stx = fc.sample(transfer, 1)[0]!;
    const input = Buffer.from(encodeSignedTransaction(stx));
    const got = readSignedTransfer(input)!;
    input.fill(0);
    expect(got).toEqual(stx);
    expect(Object.getPrototypeOf(got.signature)).toBe(Uint8Array.prototype);
  });
});

/*
 * unsignedBytesIn takes the signed payload out of a signed tx's bytes instead of encoding the tx
 * again; a signature is then checked over those bytes, so they must be encodeTransaction's.
 */
describe("unsigned transaction inside a signed one", () => {
  it("is exactly encodeTransaction(tx), for random transfers", () => {
    fc.assert(
      fc.property(transfer, (stx) => {
        const bytes = encodeSignedTransaction(stx);
        expect(unsignedBytesIn(bytes)).toEqual(encodeTransaction(stx.tx));
        expect(signatureIn(bytes)).toEqual(stx.signature);
        expect(signatureAt(bytes)).toBe(bytes.length - 64);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is encodeTransaction(tx) for every signed kind of the vectors, and nothing for the unsigned ones", () => {
    const vectors = JSON.parse(
      readFileSync(new URL("./vectors/signed-transaction.json", import.meta.url), "utf8"),
    ) as { valid: { name: string; hex: string }[] };
    const kinds = new Set<string>();
    for (const v of vectors.valid) {
      const bytes = Uint8Array.from(Buffer.from(v.hex, "hex"));
      const stx = decodeSignedTransaction(bytes);
      kinds.add(stx.tx.kind);
      if (signatureBytesOf(stx.tx.kind) === 64) {
        expect(unsignedBytesIn(bytes), v.name).toEqual(encodeTransaction(stx.tx));
        expect(signatureIn(bytes), v.name).toEqual(stx.signature);
      } else {
        expect(unsignedBytesIn(bytes), v.name).toBeUndefined();
        expect(signatureIn(bytes), v.name).toBeUndefined();
      }
    }
    expect([...kinds].sort()).toEqual(["shield", "shielded", "transfer", "unshield"]);
  });

  it("is nothing when the bytes are not framed as a signed tx", () => {
    fc.assert(
      fc.property(transfer, fc.nat(), (stx, n) => {
        const bytes = encodeSignedTransaction(stx);
        const head = bytes.slice();
        head[n % 4]! ^= 0x01; // the map or "tx" head
        expect(unsignedBytesIn(head)).toBeUndefined();
        const tail = bytes.slice();
        tail[bytes.length - 70 + (n % 6)]! ^= 0x01; // the "sig" key or the signature's byte-string head
        expect(unsignedBytesIn(tail)).toBeUndefined();
        expect(signatureIn(tail)).toBeUndefined();
        expect(signatureAt(tail)).toBeUndefined();
        expect(unsignedBytesIn(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    expect(unsignedBytesIn(new Uint8Array(74))).toBeUndefined();
  });
});
