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

/** The rejection for a decoder's error: the signer-set codes keep their meaning, the rest is MALFORMED. */
export function rejectionOfDecodeError(err: unknown): ConsensusRejection {
  if (err instanceof CodecError) {
    return new ConsensusRejection(REASON_OF_CODEC[err.code] ?? "MALFORMED", err.message, { code: err.code });
  }
  throw err;
}
