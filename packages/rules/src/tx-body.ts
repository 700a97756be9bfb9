import { fromHex, MAX_MEMO_BYTES, type SignedTransaction } from "@p2pnode/codec";
import { U64_DECIMAL } from "@p2pnode/types";

/**
 * A submitted transfer's JSON body (REST `POST /txs`) read in one pass: what the
 * SignedTransactionJson schema and then txFromJson make of a well-formed transfer, without the
 * schema's parse in between. That parse copies the body into a new object and runs a check
 * object per field; with txFromJson after it, a transfer's body was read twice, and its garbage
 * was a fifth of what admission allocates per JSON tx (sampled on the admission bench).
 *
 * The claimed id, when the body has one, is checked for its form only: the caller compares it
 * with the tx's id as for any JSON tx (`body.id`).
 *
 * Undefined for anything it does not take as it stands — another kind, a field of the wrong type
 * or form, a signature that is not 64 bytes — and the caller then runs the schema, so every
 * refusal keeps the schema's message and code. It takes nothing the schema refuses, and gives
 * what txFromJson gives for what it takes: test/tx-body.test.ts holds the two paths to each other
 * on valid bodies and on thousands of mangled ones. Keys the schema does not name are ignored, as
 * the schema strips them.
 */
export function transferFromBody(body: unknown): SignedTransaction | undefined {
  if (!isRecord(body)) return undefined;
  const { id, tx, signature } = body;
  if (id !== undefined && !(typeof id === "string" && id.length === 64 && isHex(id))) return undefined;
  if (!isRecord(tx) || tx.kind !== "transfer") return undefined;
  const { from, to, amount, fee, nonce, memo } = tx;
  if (typeof from !== "string" || typeof to !== "string" || typeof signature !== "string") return undefined;
  if (!isU64Decimal(amount) || !isU64Decimal(fee)) return undefined;
  if (typeof nonce !== "number" || !Number.isSafeInteger(nonce) || nonce < 0) return undefined;
  if (typeof memo !== "string" || memo.length > 2 * MAX_MEMO_BYTES) return undefined;
  try {
    // fromHex refuses what the schema's hex forms refuse: odd length, anything but 0-9 a-f, and
    // (with a length) any other byte count.
    return {
      tx: {
        kind: "transfer",
        from: fromHex(from, "transaction.from", 32),
        to: fromHex(to, "transaction.to", 20),
        amount: BigInt(amount),
        fee: BigInt(fee),
        nonce,
        memo: fromHex(memo, "transaction.memo"),
      },
      signature: fromHex(signature, "signedTransaction.signature", 64),
    };
  } catch {
    return undefined;
  }
}

/** What the schema's z.object takes: a non-null object that is not an array. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isU64Decimal(v: unknown): v is string {
  return typeof v === "string" && U64_DECIMAL.form.test(v) && (v.length < 20 || v <= U64_DECIMAL.max);
}

/** Lowercase hex digits only (the id's form, checked without decoding it). */
function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
