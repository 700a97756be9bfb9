import { CodedError } from "@p2pnode/types";

/**
 * Why bytes were refused. A peer or client that sent them gets the code back unchanged, so
 * the set is closed: add a code here rather than inventing one at a call site.
 */
export type CodecErrorCode =
  /** The input ended before the structure it announced. */
  | "DECODE_TRUNCATED"
  /** The input, or a length/count it declares, exceeds a limit in limits.ts. */
  | "DECODE_OVERSIZE"
  /** Bytes after the end of a complete value. */
  | "DECODE_TRAILING"
  /** Valid but not the one canonical encoding (unsorted keys, long-form ints, floats, ...). */
  | "DECODE_NONCANONICAL"
  /** Not well-formed for the format at all (bad CBOR, unknown tag, duplicate key, ...). */
  | "DECODE_MALFORMED"
  /** A version or kind this code does not know. */
  | "DECODE_UNSUPPORTED"
  /** Well-formed, but a field is missing, extra, of the wrong type or out of range. */
  | "DECODE_SCHEMA"
  /** A signer bitmask whose length is not the one the validator count gives (consensus messages). */
  | "DECODE_MASK_SIZE"
  /** A signer bit or index at or beyond the validator count (consensus messages). */
  | "DECODE_UNKNOWN_SIGNER"
  /** A signer bit set without a signature for it (consensus messages). */
  | "DECODE_MISSING_SIGNATURE"
  /** More signatures than signer bits set (consensus messages). */
  | "DECODE_EXTRA_SIGNATURE"
  /** An encoder was handed a value it cannot encode (wrong length, out of range, ...). */
  | "ENCODE_INVALID";

export class CodecError extends CodedError<CodecErrorCode> {
  constructor(code: CodecErrorCode, message: string, details?: unknown) {
    super(code, message, details, 400);
    this.name = "CodecError";
  }
}
