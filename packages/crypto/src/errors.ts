// The zod-free entry: verify threads load this module, and all of types would cost each ~180 ms.
import { CodedError } from "@p2pnode/types/coded-error";

/** Why a crypto entry point refused its input. A failed signature check is `false`, not an error. */
export type CryptoErrorCode =
  /** A key, seed or key file of the wrong shape. */
  | "BAD_KEY"
  /** Bytes of the wrong type or length handed to a hash, sign or verify call. */
  | "BAD_INPUT"
  /** A signing domain tag or chain id outside the allowed form. */
  | "BAD_DOMAIN"
  /** A mnemonic that is not valid BIP-39 English (wrong word, count or checksum). */
  | "BAD_MNEMONIC"
  /** A derivation path that is not all-hardened SLIP-0010 (`m/44'/7337'/0'/0'/0'`). */
  | "BAD_PATH"
  /** A Merkle proof of the wrong shape for its tree size and index. */
  | "BAD_PROOF"
  /** No wallet file where one was named. */
  | "NO_WALLET"
  /** A wallet file is already there (writing one never overwrites without --force). */
  | "WALLET_EXISTS"
  /** A wallet file others may read (it must be mode 600). */
  | "WALLET_MODE"
  /** A wallet file that is not JSON or not a p2pnode wallet. */
  | "WALLET_CORRUPT"
  /** A verify thread died twice with the item in its batch (VerifyPool): the verdict is unknown. */
  | "WORKER_FAILED"
  /** The VerifyPool was closed before the item's verdict came back. */
  | "POOL_CLOSED";

/** The codes that are the node's fault, not the caller's: 503, the caller may retry. */
const UNAVAILABLE: ReadonlySet<CryptoErrorCode> = new Set(["WORKER_FAILED", "POOL_CLOSED"]);

export class CryptoError extends CodedError<CryptoErrorCode> {
  constructor(code: CryptoErrorCode, message: string, details?: unknown) {
    super(code, message, details, UNAVAILABLE.has(code) ? 503 : 400);
    this.name = "CryptoError";
  }
}

export function assertBytes(value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoError(
      "BAD_INPUT",
      `${what}: expected a Uint8Array, got ${value === null ? "null" : typeof value}`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw new CryptoError("BAD_INPUT", `${what}: expected ${length} bytes, got ${value.length}`);
  }
}
