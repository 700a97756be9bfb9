/**
 * Regenerates test/vectors/*.json from scripts/vector-cases.ts:
 *   pnpm --filter @p2pnode/codec vectors
 * Valid vectors hold the JSON form and the exact bytes; invalid ones hold bytes and the
 * error code every decoder must answer with. Commit the result only with a format change.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encode } from "cborg";
import {
  blockToJson,
  certificateToJson,
  dsMessageToJson,
  encodeBlock,
  encodeCertificate,
  encodeDsMessage,
  encodeHeader,
  encodeSignedTransaction,
  encodeTransaction,
  headerToJson,
  MAX_BLOCK_TXS,
  MAX_SHIELDED_PROOF_BYTES,
  type ShieldedTransferTx,
  signedTransactionToJson,
  toHex,
  transactionToJson,
} from "../src/index.js";
import {
  certificateCases,
  invalidCertificates,
  invalidMessages,
  messageCases,
  VALIDATORS,
} from "./consensus-cases.js";
import { dhtVectorFile } from "./dht-vectors.js";
import { p2pVectorFile } from "./p2p-vectors.js";
import {
  blockCases,
  headerCases,
  SIGNATURE,
  shieldedCases,
  signedCases,
  transactionCases,
} from "./vector-cases.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "vectors");

function write(name: string, body: object): void {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ generatedBy: "pnpm --filter @p2pnode/codec vectors", ...body }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

const hex = (b: Uint8Array) => toHex(b);
/** Replaces the first occurrence of `from` in the hex of `bytes` (and insists it exists). */
function patch(bytesHex: string, from: string, to: string): string {
  if (!bytesHex.includes(from)) throw new Error(`patch: ${from} not found`);
  return bytesHex.replace(from, to);
}

// ---- header -------------------------------------------------------------------------------
const typicalHeader = hex(encodeHeader(headerCases[1]!.header));
write("header", {
  valid: headerCases.map((c) => ({
    name: c.name,
    json: headerToJson(c.header),
    hex: hex(encodeHeader(c.header)),
  })),
  invalid: [
    { name: "one byte short", hex: typicalHeader.slice(0, -2), error: "DECODE_TRUNCATED" },
    { name: "one byte extra", hex: `${typicalHeader}00`, error: "DECODE_TRAILING" },
    { name: "empty", hex: "", error: "DECODE_TRUNCATED" },
    { name: "version 2", hex: `00000002${typicalHeader.slice(8)}`, error: "DECODE_UNSUPPORTED" },
    { name: "version 0", hex: `00000000${typicalHeader.slice(8)}`, error: "DECODE_UNSUPPORTED" },
    {
      name: "height above 2^53-1",
      hex: `${typicalHeader.slice(0, 8)}0020000000000000${typicalHeader.slice(24)}`,
      error: "DECODE_SCHEMA",
    },
  ],
});

/** The shielded transfer case as a plain map, to build malformed variants. */
const shieldedCborLike: Record<string, unknown> = (() => {
  const tx = shieldedCases[1]!.tx as ShieldedTransferTx;
  return {
    v: 1,
    kind: tx.kind,
    fee: tx.fee,
    anchor: tx.anchor,
    nf0: tx.nullifiers[0],
    nf1: tx.nullifiers[1],
    cm0: tx.commitments[0],
    cm1: tx.commitments[1],
    note0: tx.notes[0],
    note1: tx.notes[1],
    proof: tx.proof,
  };
})();

// ---- unsigned transaction -------------------------------------------------------------------
const memoTx = transactionCases[1]!.tx;
const memoTxHex = hex(encodeTransaction(memoTx));
const nonceKey = hex(new TextEncoder().encode("nonce"));
const reversedKeys = hex(
  encode({ v: 1, ...transactionToCborLike(memoTx) }, { mapSorter: (a, b) => (keyOf(a) < keyOf(b) ? 1 : -1) }),
);

/** The text of a map entry's key token (cborg's sorter gets [keyToken, valueTokens]). */
function keyOf(entry: unknown[]): string {
  return String((entry[0] as { value: unknown }).value);
}

function transactionToCborLike(tx: typeof memoTx) {
  return {
    kind: tx.kind,
    from: tx.from,
    to: tx.to,
    amount: tx.amount,
    fee: tx.fee,
    nonce: tx.nonce,
    memo: tx.memo,
  };
}

write("transaction", {
  valid: transactionCases.map((c) => ({
    name: c.name,
    json: transactionToJson(c.tx),
    hex: hex(encodeTransaction(c.tx)),
  })),
  invalid: [
    { name: "trailing byte", hex: `${memoTxHex}00`, error: "DECODE_TRAILING" },
    { name: "truncated", hex: memoTxHex.slice(0, -2), error: "DECODE_TRUNCATED" },
    { name: "empty", hex: "", error: "DECODE_TRUNCATED" },
    { name: "keys in reverse order", hex: reversedKeys, error: "DECODE_NONCANONICAL" },
    {
      name: "nonce as a two-byte integer",
      hex: patch(memoTxHex, `65${nonceKey}07`, `65${nonceKey}1807`),
      error: "DECODE_NONCANONICAL",
    },
    {
      name: "nonce as a float16",
      hex: patch(memoTxHex, `65${nonceKey}07`, `65${nonceKey}f94700`),
      error: "DECODE_NONCANONICAL",
    },
    { name: "indefinite-length map", hex: `bf${memoTxHex.slice(2)}ff`, error: "DECODE_NONCANONICAL" },
    { name: "duplicate key", hex: `a9${memoTxHex.slice(2)}617601`, error: "DECODE_MALFORMED" },
    {
      name: "negative nonce",
      hex: patch(memoTxHex, `65${nonceKey}07`, `65${nonceKey}26`),
      error: "DECODE_SCHEMA",
    },
    {
      name: "unknown kind",
      hex: hex(encode({ v: 1, ...transactionToCborLike(memoTx), kind: "mint" })),
      error: "DECODE_UNSUPPORTED",
    },
    {
      name: "version 2",
      hex: hex(encode({ v: 2, ...transactionToCborLike(memoTx) })),
      error: "DECODE_UNSUPPORTED",
    },
    {
      name: "extra field",
      hex: hex(encode({ v: 1, ...transactionToCborLike(memoTx), x: 0 })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "19-byte recipient",
      hex: hex(encode({ v: 1, ...transactionToCborLike(memoTx), to: new Uint8Array(19) })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "257-byte memo",
      hex: hex(encode({ v: 1, ...transactionToCborLike(memoTx), memo: new Uint8Array(257) })),
      error: "DECODE_OVERSIZE",
    },
    {
      name: "over 1024 bytes",
      hex: hex(encode({ v: 1, ...transactionToCborLike(memoTx), memo: new Uint8Array(1100) })),
      error: "DECODE_OVERSIZE",
    },
    {
      name: "a tagged bignum amount",
      hex: patch(memoTxHex, "1a000f4240", "c2430f4240"),
      error: "DECODE_MALFORMED",
    },
    {
      name: "shielded transfer with a 65,537-byte proof",
      hex: hex(encode({ ...shieldedCborLike, proof: new Uint8Array(MAX_SHIELDED_PROOF_BYTES + 1) })),
      error: "DECODE_OVERSIZE",
    },
    {
      name: "shielded transfer with a 31-byte nullifier",
      hex: hex(encode({ ...shieldedCborLike, nf1: new Uint8Array(31) })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "shielded transfer with a transfer's field",
      hex: hex(encode({ ...shieldedCborLike, from: new Uint8Array(32) })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "shielded transfer over 69,632 bytes",
      hex: hex(encode({ ...shieldedCborLike, note0: new Uint8Array(70_000) })),
      error: "DECODE_OVERSIZE",
    },
  ],
});

// ---- signed transaction -----------------------------------------------------------------------
const signedHex = hex(encodeSignedTransaction(signedCases[1]!.stx));
write("signed-transaction", {
  valid: signedCases.map((c) => ({
    name: c.name,
    json: signedTransactionToJson(c.stx),
    hex: hex(encodeSignedTransaction(c.stx)),
  })),
  invalid: [
    { name: "trailing byte", hex: `${signedHex}00`, error: "DECODE_TRAILING" },
    {
      name: "63-byte signature",
      hex: patch(signedHex, `5840${hex(SIGNATURE)}`, `583f${hex(SIGNATURE).slice(2)}`),
      error: "DECODE_SCHEMA",
    },
    {
      name: "missing signature",
      hex: hex(encode({ tx: { v: 1, ...transactionToCborLike(memoTx) } })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "inner transaction not canonical",
      hex: patch(signedHex, `65${nonceKey}07`, `65${nonceKey}1807`),
      error: "DECODE_NONCANONICAL",
    },
    {
      name: "unsigned shielded kind with a signature",
      hex: hex(encode({ tx: shieldedCborLike, sig: SIGNATURE })),
      error: "DECODE_SCHEMA",
    },
    {
      name: "transfer over 1,024 bytes (a shielded kind's limit does not apply)",
      hex: hex(
        encode({
          tx: { v: 1, ...transactionToCborLike(memoTx), memo: new Uint8Array(1100) },
          sig: SIGNATURE,
        }),
      ),
      error: "DECODE_OVERSIZE",
    },
  ],
});

// ---- block --------------------------------------------------------------------------------
const twoTx = hex(encodeBlock(blockCases[1]!.block));
const headerHex = twoTx.slice(0, 352);
write("block", {
  valid: blockCases.map((c) => ({
    name: c.name,
    json: blockToJson(c.block),
    hex: hex(encodeBlock(c.block)),
  })),
  invalid: [
    { name: "header only, no count", hex: headerHex, error: "DECODE_TRUNCATED" },
    { name: "trailing byte", hex: `${twoTx}00`, error: "DECODE_TRAILING" },
    { name: "last tx cut short", hex: twoTx.slice(0, -2), error: "DECODE_TRUNCATED" },
    {
      name: "count above the limit",
      hex: `${headerHex}${(MAX_BLOCK_TXS + 1).toString(16).padStart(8, "0")}`,
      error: "DECODE_OVERSIZE",
    },
    { name: "count 5 with no txs", hex: `${headerHex}00000005`, error: "DECODE_TRUNCATED" },
    { name: "tx length above the limit", hex: `${headerHex}0000000100011001`, error: "DECODE_OVERSIZE" },
    { name: "zero-length tx", hex: `${headerHex}0000000100000000`, error: "DECODE_TRUNCATED" },
    {
      name: "tx that is not canonical",
      hex: `${headerHex}00000001${(signedHex.length / 2 + 1).toString(16).padStart(8, "0")}${patch(signedHex, `65${nonceKey}07`, `65${nonceKey}1807`)}`,
      error: "DECODE_NONCANONICAL",
    },
  ],
});

// ---- P2P messages and the handshake payload; the DHT wire format ------------------------------
write("p2p", p2pVectorFile());
write("dht", dhtVectorFile());
// ---- consensus (Dolev-Strong) ----------------------------------------------------------------
write("consensus", {
  validatorCount: VALIDATORS,
  messages: {
    valid: messageCases.map((c) => ({
      name: c.name,
      json: dsMessageToJson(c.message),
      hex: hex(encodeDsMessage(c.message)),
    })),
    invalid: invalidMessages(),
  },
  certificates: {
    valid: certificateCases.map((c) => ({
      name: c.name,
      json: certificateToJson(c.certificate),
      hex: hex(encodeCertificate(c.certificate)),
    })),
    invalid: invalidCertificates(),
  },
});
