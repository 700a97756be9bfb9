import { CodecError } from "@p2pnode/codec";
import { CodedError, type RejectReason } from "@p2pnode/types";

/*
 * Every refusal of a block or transaction carries a RejectReason (packages/types), the same code
 * over REST, NATS and the P2P validation answer. Most are the sender's fault (400); a few say
 * something else about the request.
 */
const STATUS: Partial<Record<RejectReason, number>> = {
  DUPLICATE: 409,
  MEMPOOL_FULL: 429,
};

/** A block or transaction broke a rule; the chain's refusals (stateless or not) are this class. */
export class RuleError extends CodedError<RejectReason> {
  constructor(reason: RejectReason, message: string, details?: unknown) {
    super(reason, message, details, STATUS[reason] ?? 400);
    this.name = "RuleError";
  }
}

/**
 * Refusals that are this node's policy, not a fault of the block: the same block may be valid on
 * another node (a fork deeper than our reorg limit). The chain does not remember such a block as
 * invalid (so its descendants are unconnected, not INVALID_ANCESTOR), sync leaves the peer without
 * blame, and the gateway does not score the peer that relayed it.
 */
export const POLICY_REFUSALS: ReadonlySet<RejectReason> = new Set<RejectReason>(["FORK_TOO_DEEP"]);

/** Whether `err` is a rule refusal that is this node's policy (POLICY_REFUSALS). */
export function isPolicyRefusal(err: unknown): err is RuleError {
  return err instanceof RuleError && POLICY_REFUSALS.has(err.code);
}

/** Shorthand used by the rules: `throw reject("BAD_NONCE", "...")`. */
export function reject(reason: RejectReason, message: string, details?: unknown): RuleError {
  return new RuleError(reason, message, details);
}

/** What the codec refuses (bad bytes, bad JSON fields, a value out of range) is DECODE_FAILED. */
export function decodeFailed(err: unknown, what: string): RuleError {
  if (err instanceof CodecError) {
    return reject("DECODE_FAILED", `${what}: ${err.message}`, { codec: err.code });
  }
  return reject("DECODE_FAILED", `${what}: ${(err as Error).message}`);
}

/** Runs a codec call; whatever it refuses becomes DECODE_FAILED naming `what`. */
export function decoding<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw decodeFailed(err, what);
  }
}
