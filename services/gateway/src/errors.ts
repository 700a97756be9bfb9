import { CodedError } from "@p2pnode/types";

/**
 * Why a connection was refused or closed. Peers see the code as the WebSocket close reason, so
 * the set is closed: add a code here, with its close code in CLOSE_CODES.
 */
export type GatewayErrorCode =
  | "WRONG_CHAIN"
  | "WRONG_GENESIS"
  | "BAD_VERSION"
  | "SELF_CONNECTION"
  | "DUPLICATE_PEER"
  | "BANNED"
  | "NOT_ALLOWED"
  | "TOO_MANY_PEERS"
  | "HANDSHAKE_TIMEOUT"
  | "BAD_HANDSHAKE"
  | "BAD_IDENTITY"
  | "BAD_FRAME"
  | "OVERSIZE_FRAME"
  | "MALFORMED_MESSAGE"
  | "PROTOCOL_VIOLATION"
  | "FLOOD"
  | "MISBEHAVIOUR"
  | "SLOW_PEER"
  | "EVICTED"
  | "PING_TIMEOUT"
  | "DISCONNECT_REQUESTED"
  | "SHUTDOWN"
  | "REMOTE_CLOSED"
  | "DIAL_FAILED";

/** WebSocket close codes (4000-4999 is the application range); the reason text is the code name. */
export const CLOSE_CODES: Record<GatewayErrorCode, number> = {
  WRONG_CHAIN: 4001,
  WRONG_GENESIS: 4002,
  BAD_VERSION: 4003,
  SELF_CONNECTION: 4004,
  DUPLICATE_PEER: 4005,
  BANNED: 4006,
  NOT_ALLOWED: 4007,
  TOO_MANY_PEERS: 4008,
  HANDSHAKE_TIMEOUT: 4009,
  BAD_HANDSHAKE: 4010,
  BAD_IDENTITY: 4011,
  BAD_FRAME: 4012,
  OVERSIZE_FRAME: 4013,
  MALFORMED_MESSAGE: 4014,
  PROTOCOL_VIOLATION: 4015,
  FLOOD: 4016,
  MISBEHAVIOUR: 4017,
  SLOW_PEER: 4018,
  EVICTED: 4019,
  PING_TIMEOUT: 4020,
  DISCONNECT_REQUESTED: 4021,
  SHUTDOWN: 4022,
  REMOTE_CLOSED: 4023,
  DIAL_FAILED: 4024,
};

const CODE_OF_CLOSE = new Map(Object.entries(CLOSE_CODES).map(([k, v]) => [v, k as GatewayErrorCode]));

/** The gateway code a remote close code stands for (REMOTE_CLOSED for anything else). */
export function codeOfClose(closeCode: number): GatewayErrorCode {
  return CODE_OF_CLOSE.get(closeCode) ?? "REMOTE_CLOSED";
}

export class GatewayError extends CodedError<GatewayErrorCode> {
  constructor(code: GatewayErrorCode, message: string, details?: unknown) {
    // A refused or failed connection is the peer's or the caller's doing, never a gateway bug:
    // 409 keeps the reason visible to REST callers (5xx details are hidden).
    super(code, message, details, 409);
    this.name = "GatewayError";
  }
}
