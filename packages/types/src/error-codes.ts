/*
 * The closed sets of error codes, one per domain, besides the shared ErrorCode (errors.ts), the
 * chain's RejectReason (chain-subjects.ts) and consensus's ConsensusRejectReason (consensus.ts).
 * CodedError's code parameter is typed with one of them; a NATS endpoint lists the codes it may
 * answer with (EndpointDef.errors). Packages with no NATS endpoint keep their set beside their
 * error class (codec, crypto, noise, stark, shielded, gateway's close codes, the supervisor's).
 */

/** A service's start-up and runtime faults (kit's runtime, store and network look-up). */
export const SERVICE_ERROR_CODES = ["CONFIG_INVALID", "NETWORK_UNAVAILABLE", "STORE_SCHEMA_NEWER"] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** The wallet file (crypto's wallet-file.ts); key and mnemonic shapes are CryptoErrorCode's. */
export const WALLET_ERROR_CODES = ["NO_WALLET", "WALLET_CORRUPT", "WALLET_EXISTS", "WALLET_MODE"] as const;
export type WalletErrorCode = (typeof WALLET_ERROR_CODES)[number];

/** The command line: an argument it refuses (exit code 2). Remote codes are relayed as they came. */
export const CLI_ERROR_CODES = ["BAD_ARGS"] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/**
 * The zkp service's refusals: the prover's (packages/stark's StarkErrorCode, which the zkp
 * service checks is this same set) relayed as they came, a trace over this node's limit included.
 */
export const ZKP_ERROR_CODES = [
  "PROOF_MALFORMED",
  "PROOF_INVALID",
  "AIR_MISMATCH",
  "BAD_PARAMETERS",
  "BAD_WITNESS",
  "TRACE_TOO_LARGE",
  "UNKNOWN_AIR",
] as const;
export type ZkpErrorCode = (typeof ZKP_ERROR_CODES)[number];

/** Failures of the DHT domain; each maps to one REST status (services/dht/src/errors.ts). */
export const DHT_ERROR_CODES = [
  "MALFORMED",
  "BAD_SIGNATURE",
  "INVALID_VALUE",
  "VALUE_TOO_LARGE",
  "FILE_TOO_LARGE",
  "QUOTA_EXCEEDED",
  "NOT_FOUND",
  "NO_PEERS",
  "TIMEOUT",
  "CLOSED",
] as const;
export type DhtErrorCode = (typeof DHT_ERROR_CODES)[number];

/**
 * Why a compute run, job or request failed (services/compute/src/errors.ts says which are
 * deterministic results and which statuses they map to).
 */
export const COMPUTE_ERROR_CODES = [
  "SYNTAX_ERROR",
  "NOT_A_FUNCTION",
  "FUNCTION_ERROR",
  "BUDGET_EXCEEDED",
  "MEMORY_LIMIT",
  "STACK_OVERFLOW",
  "RESULT_NOT_JSON",
  "RESULT_TOO_LARGE",
  "TIMEOUT",
  "SANDBOX_CRASHED",
  "QUEUE_FULL",
  "WORKER_UNAVAILABLE",
  "UNKNOWN_FUNCTION",
  "INSUFFICIENT_WORKERS",
  "LIMIT_EXCEEDS_FUNCTION",
  "ATTEMPTS_EXHAUSTED",
  "TASK_FAILED",
  "HASH_MISMATCH",
] as const;
export type ComputeErrorCode = (typeof COMPUTE_ERROR_CODES)[number];
