import { CodecError, type CodecErrorCode } from "@p2pnode/codec";
import { CodedError, type ConsensusRejectReason } from "@p2pnode/types";

/**
 * Why a message was refused, as plain data: the state machine answers these on its hot path
 * (an Error captures a stack, which costs more than checking a signature).
 */
export interface Refusal {
  reason: ConsensusRejectReason;
  message: string;
}

export function refuse(reason: ConsensusRejectReason, message: string): Refusal {
  return { reason, message };
}

/** A consensus message, certificate or piece of evidence refused, with its typed reason. */
export class ConsensusRejection extends CodedError<ConsensusRejectReason> {
  constructor(reason: ConsensusRejectReason, message: string, details?: unknown) {
    super(reason, message, details, 400);
    this.name = "ConsensusRejection";
  }
}

const REASON_OF_CODEC: Partial<Record<CodecErrorCode, ConsensusRejectReason>> = {
  DECODE_MASK_SIZE: "MASK_SIZE",
  DECODE_UNKNOWN_SIGNER: "UNKNOWN_SIGNER",
  DECODE_MISSING_SIGNATURE: "MISSING_SIGNATURE",
  DECODE_EXTRA_SIGNATURE: "EXTRA_SIGNATURE",
};

/** The refusal for a decoder's error: the signer-set codes keep their meaning, the rest is MALFORMED. */
export function refusalOfDecodeError(err: unknown): Refusal {
  if (err instanceof CodecError) return refuse(REASON_OF_CODEC[err.code] ?? "MALFORMED", err.message);
  throw err;
}

/** The same as a thrown error, for the verify functions' callers. */
export function rejectionOfDecodeError(err: unknown): ConsensusRejection {
  const r = refusalOfDecodeError(err);
  return new ConsensusRejection(r.reason, r.message, { code: (err as CodecError).code });
}
