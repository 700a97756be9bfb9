import { CodedError, type RejectReason } from "@p2pnode/types";

/*
 * Every refusal of the chain carries a RejectReason (packages/types), the same code over REST
 * and NATS. Most are the caller's fault (400); a few say something else about the request.
 */
const STATUS: Partial<Record<RejectReason, number>> = {
  DUPLICATE: 409,
  MEMPOOL_FULL: 429,
};

export class ChainError extends CodedError<RejectReason> {
  constructor(reason: RejectReason, message: string, details?: unknown) {
    super(reason, message, details, STATUS[reason] ?? 400);
    this.name = "ChainError";
  }
}

/** Shorthand used by the validation rules: `throw reject("BAD_NONCE", "...")`. */
export function reject(reason: RejectReason, message: string, details?: unknown): ChainError {
  return new ChainError(reason, message, details);
}

/** A fault of this node (store inconsistency, corrupt row): 500, details stay in the log. */
export class ChainFault extends CodedError<"INTERNAL" | "CONFIG_INVALID"> {
  constructor(code: "INTERNAL" | "CONFIG_INVALID", message: string, details?: unknown) {
    super(code, message, details, code === "INTERNAL" ? 500 : 400);
    this.name = "ChainFault";
  }
}
