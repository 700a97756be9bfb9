import { compareBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import { checkFixed, checkIndex, checkSlot, type Reader, Writer } from "./cursor.js";
import {
  checkSignatures,
  DS_FORMAT_VERSION,
  HASH_BYTES,
  readSigner,
  readSignerSet,
  SIGNATURE_BYTES,
} from "./layouts.js";
import { maskBytes } from "./mask.js";

/** f + 1 or more commit signatures on one block in one slot: what makes the block final. */
export interface DsCertificate {
  slot: number;
  /** Signer bitmask, ⌈n/8⌉ bytes. */
  mask: Uint8Array;
  /** One commit signature per bit set, ascending signer order. */
  signatures: Uint8Array[];
}

/** One leader signature on one block hash: half of an equivocation proof. */
export interface SignedHash {
  blockHash: Uint8Array;
  signature: Uint8Array;
}

/**
 * Proof that the leader of `slot` signed two different blocks under the relay tag. `first` has the
 * smaller hash (bytewise), so one pair of signatures has one encoding.
 */
export interface DsEvidence {
  slot: number;
  leader: number;
  first: SignedHash;
  second: SignedHash;
}

export const CERTIFICATE_FIXED_BYTES = 1 + 8 + 2;
export const EVIDENCE_BYTES = 1 + 8 + 2 + 2 * (HASH_BYTES + SIGNATURE_BYTES);

/** Largest certificate for `n` validators: every one signed. */
export function maxCertificateBytes(n: number): number {
  return CERTIFICATE_FIXED_BYTES + maskBytes(n) + n * SIGNATURE_BYTES;
}

export function encodeCertificate(c: DsCertificate): Uint8Array {
  checkSignatures(c.mask, c.signatures, "certificate");
  const w = new Writer(CERTIFICATE_FIXED_BYTES + c.mask.length + c.signatures.length * SIGNATURE_BYTES)
    .u8(DS_FORMAT_VERSION)
    .u64(checkSlot(c.slot, "certificate"))
    .u16(c.mask.length)
    .bytes(c.mask);
  for (const s of c.signatures) w.bytes(s);
  return w.done();
}

export function readCertificate(r: Reader, n: number, what: string): DsCertificate {
  const slot = r.safeU64("slot");
  const { mask, signatures } = readSignerSet(r, n, what);
  return { slot, mask, signatures };
}

/** Evidence with its two halves in canonical order (smaller hash first). */
export function canonicalEvidence(e: DsEvidence): DsEvidence {
  return compareBytes(e.first.blockHash, e.second.blockHash) <= 0
    ? e
    : { ...e, first: e.second, second: e.first };
}

export function encodeEvidence(e: DsEvidence, lead?: number): Uint8Array {
  const c = canonicalEvidence(e);
  if (compareBytes(c.first.blockHash, c.second.blockHash) === 0) {
    throw new CodecError("ENCODE_INVALID", "evidence: the two block hashes are the same");
  }
  const w = new Writer(EVIDENCE_BYTES, lead)
    .u8(DS_FORMAT_VERSION)
    .u64(checkSlot(c.slot, "evidence"))
    .u16(checkIndex(c.leader, "evidence.leader"));
  for (const [name, half] of [
    ["first", c.first],
    ["second", c.second],
  ] as const) {
    w.bytes(checkFixed(half.blockHash, HASH_BYTES, `evidence.${name}.blockHash`));
    w.bytes(checkFixed(half.signature, SIGNATURE_BYTES, `evidence.${name}.signature`));
  }
  return w.done();
}

export function readEvidence(r: Reader, n: number, what: string): DsEvidence {
  const slot = r.safeU64("slot");
  const leader = readSigner(r, n, what, "leader");
  const half = (): SignedHash => ({
    blockHash: r.bytesOf(HASH_BYTES, "blockHash"),
    signature: r.bytesOf(SIGNATURE_BYTES, "signature"),
  });
  const first = half();
  const second = half();
  const order = compareBytes(first.blockHash, second.blockHash);
  if (order === 0) throw new CodecError("DECODE_SCHEMA", `${what}: the two block hashes are the same`);
  if (order > 0) throw new CodecError("DECODE_NONCANONICAL", `${what}: block hashes not in ascending order`);
  return { slot, leader, first, second };
}
