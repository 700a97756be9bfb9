import { CodedError } from "@p2pnode/types";

/**
 * Every way a proof, a parameter set or a prove request can be wrong. The verifier answers a
 * bad proof with one of the `PROOF_*` codes instead of `false`, so callers see *why* it failed.
 */
export type StarkErrorCode =
  | "PROOF_MALFORMED"
  | "PROOF_INVALID"
  | "AIR_MISMATCH"
  | "BAD_PARAMETERS"
  | "BAD_WITNESS"
  | "TRACE_TOO_LARGE"
  | "UNKNOWN_AIR";

const STATUS: Record<StarkErrorCode, number> = {
  PROOF_MALFORMED: 400,
  PROOF_INVALID: 400,
  AIR_MISMATCH: 400,
  BAD_PARAMETERS: 400,
  BAD_WITNESS: 400,
  TRACE_TOO_LARGE: 413,
  UNKNOWN_AIR: 404,
};

export class StarkError extends CodedError<StarkErrorCode> {
  constructor(code: StarkErrorCode, message: string, details?: unknown) {
    super(code, message, details, STATUS[code]);
    this.name = "StarkError";
  }
}
