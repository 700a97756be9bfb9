import { assertBytes } from "./bytes.js";
import type { CborValue } from "./cbor.js";
import type { CborWriter } from "./cbor-writer.js";
import { CodecError } from "./errors.js";
import { type CborMap, readBytes, readMap, readSafeUint, readU64 } from "./fields.js";
import { assertSafeUint, assertU64 } from "./ints.js";
import { MAX_SHIELDED_PROOF_BYTES, NOTE_CIPHERTEXT_BYTES } from "./limits.js";

/*
 * The shielded transaction kinds (PROTOCOL.md §4.1). Each carries one 2-input / 2-output spend:
 * the anchor (a recent root of the note-commitment tree), two nullifiers, two output note
 * commitments with their ciphertexts, and the zero-knowledge proof. Field elements travel as
 * 4-byte big-endian words (a digest is 8 words, 32 bytes); whether each word is below the
 * field's modulus is a rule (packages/rules), not an encoding question.
 */

export const SHIELDED_KINDS = ["shield", "shielded", "unshield"] as const;
export type ShieldedKind = (typeof SHIELDED_KINDS)[number];

export function isShieldedKind(kind: unknown): kind is ShieldedKind {
  return kind === "shield" || kind === "shielded" || kind === "unshield";
}

/** The spend every shielded kind carries. */
export interface ShieldedSpend {
  /** Root of the commitment tree the inputs are proven under (32 bytes). */
  anchor: Uint8Array;
  /** The two nullifiers the spend publishes (32 bytes each; dummies included). */
  nullifiers: readonly [Uint8Array, Uint8Array];
  /** The two output note commitments (32 bytes each). */
  commitments: readonly [Uint8Array, Uint8Array];
  /** Each output's note ciphertext for its recipient (NOTE_CIPHERTEXT_BYTES each). */
  notes: readonly [Uint8Array, Uint8Array];
  /** The STARK proof (≤ MAX_SHIELDED_PROOF_BYTES), bound to the rest of the tx. */
  proof: Uint8Array;
}

/** Account → notes: `from` pays amount + fee; `amount` enters the shielded pool. Signed by `from`. */
export interface ShieldTx extends ShieldedSpend {
  kind: "shield";
  from: Uint8Array;
  amount: bigint;
  fee: bigint;
  nonce: number;
}

/** Notes → notes: the fee leaves the pool to the miner. Unsigned: the proof is the authority. */
export interface ShieldedTransferTx extends ShieldedSpend {
  kind: "shielded";
  fee: bigint;
}

/** Notes → account: `amount` leaves the pool to `to`, the fee to the miner. Unsigned. */
export interface UnshieldTx extends ShieldedSpend {
  kind: "unshield";
  to: Uint8Array;
  amount: bigint;
  fee: bigint;
}

export type ShieldedTx = ShieldTx | ShieldedTransferTx | UnshieldTx;

/** Whether a kind is signed by an account key (transfer, shield) or authorized by its proof alone. */
export function hasSigner(kind: string): boolean {
  return kind === "transfer" || kind === "shield";
}

const SPEND_KEYS = ["v", "kind", "fee", "anchor", "nf0", "nf1", "cm0", "cm1", "note0", "note1", "proof"];
export const SHIELDED_KEYS: Record<ShieldedKind, readonly string[]> = {
  shield: [...SPEND_KEYS, "from", "amount", "nonce"],
  shielded: SPEND_KEYS,
  unshield: [...SPEND_KEYS, "to", "amount"],
};

/** Key order of deterministic CBOR: shorter encoded keys first, then bytewise. */
const canonical = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Checks a shielded tx at the border, then writes its canonical map. */
export function writeShieldedTx(w: CborWriter, tx: ShieldedTx, version: number): void {
  assertBytes(tx.anchor, "transaction.anchor", 32);
  for (const [what, pair, len] of [
    ["nullifiers", tx.nullifiers, 32],
    ["commitments", tx.commitments, 32],
    ["notes", tx.notes, NOTE_CIPHERTEXT_BYTES],
  ] as const) {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new CodecError("ENCODE_INVALID", `transaction.${what}: expected two`);
    pair.forEach((b, i) => {
      assertBytes(b, `transaction.${what}[${i}]`, len);
    });
  }
  assertBytes(tx.proof, "transaction.proof");
  if (tx.proof.length > MAX_SHIELDED_PROOF_BYTES)
    throw new CodecError(
      "ENCODE_INVALID",
      `transaction.proof: ${tx.proof.length} bytes exceeds ${MAX_SHIELDED_PROOF_BYTES}`,
    );
  assertU64(tx.fee, "transaction.fee");
  const fields: Record<string, (w: CborWriter) => void> = {
    v: (w) => w.uint(version),
    kind: (w) => w.text(tx.kind),
    fee: (w) => w.uint(tx.fee),
    anchor: (w) => w.bytes(tx.anchor),
    nf0: (w) => w.bytes(tx.nullifiers[0]),
    nf1: (w) => w.bytes(tx.nullifiers[1]),
    cm0: (w) => w.bytes(tx.commitments[0]),
    cm1: (w) => w.bytes(tx.commitments[1]),
    note0: (w) => w.bytes(tx.notes[0]),
    note1: (w) => w.bytes(tx.notes[1]),
    proof: (w) => w.bytes(tx.proof),
  };
  if (tx.kind === "shield") {
    assertBytes(tx.from, "transaction.from", 32);
    assertU64(tx.amount, "transaction.amount");
    assertSafeUint(tx.nonce, "transaction.nonce");
    fields.from = (w) => w.bytes(tx.from);
    fields.amount = (w) => w.uint(tx.amount);
    fields.nonce = (w) => w.uint(tx.nonce);
  } else if (tx.kind === "unshield") {
    assertBytes(tx.to, "transaction.to", 20);
    assertU64(tx.amount, "transaction.amount");
    fields.to = (w) => w.bytes(tx.to);
    fields.amount = (w) => w.uint(tx.amount);
  } else if (tx.kind !== "shielded") {
    throw new CodecError(
      "ENCODE_INVALID",
      `transaction.kind: unknown kind ${String((tx as { kind: unknown }).kind)}`,
    );
  }
  const keys = Object.keys(fields).sort(canonical);
  w.map(keys.length);
  for (const k of keys) {
    w.text(k);
    fields[k]!(w);
  }
}

/** Reads a shielded tx's map (version and kind already checked by the caller). */
export function shieldedTxFromCbor(value: CborValue, kind: ShieldedKind): ShieldedTx {
  const what = "transaction";
  const map = readMap(value, SHIELDED_KEYS[kind], what);
  const spend = readSpend(map, what);
  const fee = readU64(map, "fee", what);
  if (kind === "shield") {
    return {
      kind,
      from: readBytes(map, "from", what, 32),
      amount: readU64(map, "amount", what),
      fee,
      nonce: readSafeUint(map, "nonce", what),
      ...spend,
    };
  }
  if (kind === "unshield")
    return { kind, to: readBytes(map, "to", what, 20), amount: readU64(map, "amount", what), fee, ...spend };
  return { kind, fee, ...spend };
}

function readSpend(map: CborMap, what: string): ShieldedSpend {
  const b32 = (k: string) => readBytes(map, k, what, 32);
  return {
    anchor: b32("anchor"),
    nullifiers: [b32("nf0"), b32("nf1")],
    commitments: [b32("cm0"), b32("cm1")],
    notes: [
      readBytes(map, "note0", what, NOTE_CIPHERTEXT_BYTES),
      readBytes(map, "note1", what, NOTE_CIPHERTEXT_BYTES),
    ],
    proof: readBytes(map, "proof", what, undefined, MAX_SHIELDED_PROOF_BYTES),
  };
}

/**
 * The bytes a spend proof binds (its statement's txHash is SHA-256 of them under the tx signing
 * prefix, in crypto): the transaction with an empty proof, so the proof cannot cover itself.
 */
export function withoutProof<T extends ShieldedTx>(tx: T): T {
  return { ...tx, proof: new Uint8Array(0) };
}
