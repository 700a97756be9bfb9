import { CodedError } from "@p2pnode/types";

/**
 * Why a shielded-pool entry point refused its input. Every decoder answers bad bytes with
 * MALFORMED (after checking sizes, before allocating); a proof that fails verification is
 * BAD_PROOF with the STARK's own code and reason in `details`.
 */
export type ShieldedErrorCode =
  | "MALFORMED"
  | "BAD_ADDRESS"
  | "BAD_KEY"
  | "BAD_NOTE"
  | "BAD_SPEND"
  | "BAD_PROOF"
  | "PROOF_TOO_LARGE"
  | "TREE_FULL"
  | "UNKNOWN_LEAF";

const STATUS: Record<ShieldedErrorCode, number> = {
  MALFORMED: 400,
  BAD_ADDRESS: 400,
  BAD_KEY: 400,
  BAD_NOTE: 400,
  BAD_SPEND: 400,
  BAD_PROOF: 400,
  PROOF_TOO_LARGE: 413,
  TREE_FULL: 409,
  UNKNOWN_LEAF: 404,
};

export class ShieldedError extends CodedError<ShieldedErrorCode> {
  constructor(code: ShieldedErrorCode, message: string, details?: unknown) {
    super(code, message, details, STATUS[code]);
    this.name = "ShieldedError";
  }
}
