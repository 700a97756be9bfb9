/**
 * @p2pnode/codec — the one deterministic byte encoding of everything that is hashed, signed
 * or sent between nodes (DESIGN.md §4). Formats and byte layouts: README.md.
 */
export {
  type Block,
  type BlockFrames,
  decodeBlock,
  encodeBlock,
  encodeBlockFromFrames,
  splitBlock,
} from "./block.js";
export { assertBytes, compareBytes, concatBytes, equalBytes, fromHex, toHex } from "./bytes.js";
export { type CborValue, decodeCanonical, encodeCanonical } from "./cbor.js";
export * from "./compute.js";
export * from "./consensus/index.js";
export { CodecError, type CodecErrorCode } from "./errors.js";
export {
  type BlockHeader,
  decodeHeader,
  encodeHeader,
  encodeHeaderInto,
  HEADER_LAYOUT,
  HEADER_SIZE,
  HEADER_VERSION,
  NONCE_OFFSET,
  setHeaderNonce,
} from "./header.js";
export { U64_MAX } from "./ints.js";
export * from "./json.js";
export * from "./limits.js";
export * from "./p2p/index.js";
export * from "./shielded-tx.js";
export { type ShieldedTxJson, shieldedTxFromJson, shieldedTxToJson } from "./shielded-tx-json.js";
export { signatureAt, signatureIn, unsignedBytesIn } from "./signed-transfer.js";
export {
  decodeSignedTransaction,
  decodeTransaction,
  encodeSignedTransaction,
  encodeTransaction,
  maxBytesOf,
  type SignedTransaction,
  signatureBytesOf,
  type Transaction,
  type TransactionKind,
  type TransferTx,
  TX_VERSION,
} from "./transaction.js";
