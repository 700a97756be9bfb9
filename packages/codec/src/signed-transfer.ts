import { headSize, putHead } from "./cbor-head.js";
import { MAX_MEMO_BYTES, MAX_TX_BYTES } from "./limits.js";
import type { SignedTransaction } from "./transaction.js";

/*
 * A signed transfer read straight from its bytes, without the generic CBOR parser. A transfer's
 * canonical encoding (transaction.ts) is fixed up to its five variable fields, so the reader
 * walks the expected bytes and takes the fields where they stand; a 1,000-tx block decoded ~5×
 * faster than through cborg and the canonical re-encode. It accepts only bytes that are exactly
 * such an encoding (shortest-form integers, the keys in canonical order, nothing after the end)
 * and answers undefined for anything else, which the general decoder then reads or rejects
 * with its precise error; so it returns what that decoder returns, or nothing.
 *
 * The writer below lays out the same bytes from the same pieces, for the transfers that arrive
 * as JSON (REST, NATS) and are encoded once at admission.
 */

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
/** map(2) "tx": what opens every signed transaction's encoding, before the unsigned one. */
const SIGNED_HEAD = Uint8Array.from([0xa2, 0x62, ...ascii("tx")]);
/** map(2) "tx" map(8) "v" 1 "to" bytes(20) */
const HEAD = Uint8Array.from([...SIGNED_HEAD, 0xa8, 0x61, ...ascii("v"), 0x01, 0x62, ...ascii("to"), 0x54]);
const FEE = Uint8Array.from([0x63, ...ascii("fee")]);
/** "from" bytes(32) */
const FROM = Uint8Array.from([0x64, ...ascii("from"), 0x58, 0x20]);
/** "kind" "transfer" "memo" */
const KIND_MEMO = Uint8Array.from([
  0x64,
  ...ascii("kind"),
  0x68,
  ...ascii("transfer"),
  0x64,
  ...ascii("memo"),
]);
const NONCE = Uint8Array.from([0x65, ...ascii("nonce")]);
const AMOUNT = Uint8Array.from([0x66, ...ascii("amount")]);
/** "sig" bytes(64): what follows the unsigned transaction in a signed one of a signing kind. */
const SIG = Uint8Array.from([0x63, ...ascii("sig"), 0x58, 0x40]);

/** Whether `b` holds `expected` at `pos`. */
function bytesAt(b: Uint8Array, pos: number, expected: Uint8Array): boolean {
  if (pos < 0 || pos + expected.length > b.length) return false;
  for (let i = 0; i < expected.length; i++) if (b[pos + i] !== expected[i]) return false;
  return true;
}

class Reader {
  pos = 0;
  private view: DataView;
  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  /** The next bytes are `expected`. */
  expect(expected: Uint8Array): boolean {
    if (!bytesAt(this.b, this.pos, expected)) return false;
    this.pos += expected.length;
    return true;
  }
  /** A copy of the next `n` bytes (never a view of the input, as the general decoder). */
  take(n: number): Uint8Array | undefined {
    if (this.pos + n > this.b.length) return undefined;
    const out = new Uint8Array(n);
    out.set(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  /** The argument of a head of major type `major`, in its shortest form only. */
  arg(major: number): bigint | undefined {
    const { b, pos } = this;
    if (pos >= b.length || b[pos]! >> 5 !== major) return undefined;
    const info = b[pos]! & 0x1f;
    if (info < 24) {
      this.pos += 1;
      return BigInt(info);
    }
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0 || pos + 1 + size > b.length) return undefined;
    const v =
      size === 1
        ? BigInt(b[pos + 1]!)
        : size === 2
          ? BigInt(this.view.getUint16(pos + 1))
          : size === 4
            ? BigInt(this.view.getUint32(pos + 1))
            : this.view.getBigUint64(pos + 1);
    // shortest form: the value must not fit the next smaller size
    const min = size === 1 ? 24n : size === 2 ? 0x100n : size === 4 ? 0x10000n : 0x100000000n;
    if (v < min) return undefined;
    this.pos += 1 + size;
    return v;
  }
}

/** The signed transfer these bytes canonically encode, or undefined (see above). */
export function readSignedTransfer(bytes: Uint8Array): SignedTransaction | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_TX_BYTES) return undefined;
  const r = new Reader(bytes);
  if (!r.expect(HEAD)) return undefined;
  const to = r.take(20);
  if (!to || !r.expect(FEE)) return undefined;
  const fee = r.arg(0);
  if (fee === undefined || !r.expect(FROM)) return undefined;
  const from = r.take(32);
  if (!from || !r.expect(KIND_MEMO)) return undefined;
  const memoLength = r.arg(2);
  if (memoLength === undefined || memoLength > BigInt(MAX_MEMO_BYTES)) return undefined;
  const memo = r.take(Number(memoLength));
  if (!memo || !r.expect(NONCE)) return undefined;
  const nonce = r.arg(0);
  if (nonce === undefined || nonce > BigInt(Number.MAX_SAFE_INTEGER) || !r.expect(AMOUNT)) return undefined;
  const amount = r.arg(0);
  if (amount === undefined || !r.expect(SIG)) return undefined;
  const signature = r.take(64);
  if (!signature || r.pos !== bytes.length) return undefined;
  return { tx: { kind: "transfer", from, to, amount, fee, nonce: Number(nonce), memo }, signature };
}

/**
 * The unsigned transaction inside `signed`, the canonical encoding of a signed transaction whose
 * kind carries a 64-byte signature: the bytes encodeTransaction(stx.tx) returns, as a view, not
 * a copy. The signed encoding is the map {"tx": tx, "sig": signature} with "tx" first, so they
 * stand between SIGNED_HEAD and SIG + the signature. Undefined when `signed` is not framed so.
 * The caller vouches that `signed` is the canonical encoding of the transaction it verifies
 * (what prepareTx keeps as `bytes`): the frame is checked, not the content.
 */
export function unsignedBytesIn(signed: Uint8Array): Uint8Array | undefined {
  const end = unsignedEnd(signed);
  return end === undefined ? undefined : signed.subarray(SIGNED_HEAD.length, end);
}

/** Where the unsigned tx inside `signed` ends (see unsignedBytesIn), or undefined. */
function unsignedEnd(signed: Uint8Array): number | undefined {
  const end = signed.length - 64 - SIG.length;
  if (end <= SIGNED_HEAD.length) return undefined;
  if (!bytesAt(signed, 0, SIGNED_HEAD) || !bytesAt(signed, end, SIG)) return undefined;
  return end;
}

/**
 * The signature of `signed`, framed as unsignedBytesIn reads it (its last 64 bytes, after "sig"),
 * as a view; undefined when `signed` is not framed so. Only the frame is checked: what finds a
 * known tx by it (a mempool) still compares the whole encoding.
 */
export function signatureIn(signed: Uint8Array): Uint8Array | undefined {
  const at = signatureAt(signed);
  return at === undefined ? undefined : signed.subarray(at);
}

/** Where signatureIn's signature starts in `signed` (for a lookup without a view); undefined alike. */
export function signatureAt(signed: Uint8Array): number | undefined {
  return unsignedEnd(signed) === undefined ? undefined : signed.length - 64;
}

function put(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  out.set(bytes, pos);
  return pos + bytes.length;
}

/**
 * The canonical encoding of a signed transfer, written straight into one array of its exact
 * size: what the general writer (CborWriter) produces, without its scratch buffer and per-field
 * calls. The caller has checked the fields (types, lengths, ranges) as the general writer does.
 */
export function writeSignedTransfer(
  tx: { from: Uint8Array; to: Uint8Array; amount: bigint; fee: bigint; nonce: number; memo: Uint8Array },
  signature: Uint8Array,
): Uint8Array {
  const nonce = BigInt(tx.nonce);
  const memoLength = BigInt(tx.memo.length);
  const size =
    HEAD.length +
    20 +
    FEE.length +
    headSize(tx.fee) +
    FROM.length +
    32 +
    KIND_MEMO.length +
    headSize(memoLength) +
    tx.memo.length +
    NONCE.length +
    headSize(nonce) +
    AMOUNT.length +
    headSize(tx.amount) +
    SIG.length +
    64;
  const out = new Uint8Array(size);
  let pos = put(out, 0, HEAD);
  pos = put(out, pos, tx.to);
  pos = put(out, pos, FEE);
  pos = putHead(out, pos, 0, tx.fee);
  pos = put(out, pos, FROM);
  pos = put(out, pos, tx.from);
  pos = put(out, pos, KIND_MEMO);
  pos = putHead(out, pos, 2, memoLength);
  pos = put(out, pos, tx.memo);
  pos = put(out, pos, NONCE);
  pos = putHead(out, pos, 0, nonce);
  pos = put(out, pos, AMOUNT);
  pos = putHead(out, pos, 0, tx.amount);
  pos = put(out, pos, SIG);
  put(out, pos, signature);
  return out;
}
