import { CodecError } from "@p2pnode/codec";
import type { DatagramField } from "@p2pnode/codec/dht";
import { CodedError } from "@p2pnode/types";

/** Failures of the DHT domain; each maps to one REST status (4xx for the caller, 503/504 for the network). */
export type DhtErrorCode =
  | "MALFORMED"
  | "BAD_SIGNATURE"
  | "INVALID_VALUE"
  | "VALUE_TOO_LARGE"
  | "FILE_TOO_LARGE"
  | "QUOTA_EXCEEDED"
  | "NOT_FOUND"
  | "NO_PEERS"
  | "TIMEOUT"
  | "CLOSED";

const STATUS: Record<DhtErrorCode, number> = {
  MALFORMED: 400,
  BAD_SIGNATURE: 400,
  INVALID_VALUE: 400,
  VALUE_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 409,
  NOT_FOUND: 404,
  NO_PEERS: 503,
  TIMEOUT: 504,
  CLOSED: 503,
};

export class DhtError extends CodedError<DhtErrorCode> {
  constructor(code: DhtErrorCode, message: string, details?: unknown) {
    super(code, message, details, STATUS[code]);
    this.name = "DhtError";
  }
}

/** Why an inbound datagram was dropped; each reason is a counter on /stats and /metrics. */
export type DropReason =
  | "oversize"
  | "truncated"
  | "bad_magic"
  | "bad_version"
  | "unknown_type"
  | "bad_signature"
  | "malformed_body"
  | "self"
  | "replay"
  | "rate_limited"
  | "unsolicited"
  | "wrong_sender";

/** A datagram that failed decoding or verification: dropped and counted, never answered. */
export class WireError extends CodedError<"MALFORMED"> {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super("MALFORMED", message, { reason }, 400);
    this.name = "WireError";
  }
}

const FIELD_REASON: Record<DatagramField, DropReason> = {
  magic: "bad_magic",
  version: "bad_version",
  type: "unknown_type",
};

/** The drop reason of a datagram the codec refused (size and header checks, before the signature). */
export function datagramDropReason(err: unknown): DropReason {
  if (err instanceof WireError) return err.reason;
  if (!(err instanceof CodecError)) return "malformed_body";
  if (err.code === "DECODE_OVERSIZE") return "oversize";
  if (err.code === "DECODE_TRUNCATED") return "truncated";
  const field = (err.details as { field?: DatagramField } | undefined)?.field;
  return (field && FIELD_REASON[field]) ?? "malformed_body";
}

/** The drop reason of a verified datagram whose body (or the record in it) was refused. */
export const bodyDropReason = (err: unknown): DropReason =>
  err instanceof WireError ? err.reason : "malformed_body";
