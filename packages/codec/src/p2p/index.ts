/** The P2P wire messages (DESIGN.md §5): layout, limits and the handshake payload. */

export {
  type ComputeP2pMessage,
  type ComputeResultStatus,
  MAX_COMPUTE_SLOTS,
  PROVED_KINDS,
  type ProvedKind,
} from "./compute.js";
export {
  decodeHandshakePayload,
  encodeHandshakePayload,
  type HandshakePayload,
  MAX_HANDSHAKE_PAYLOAD_BYTES,
  P2P_NOISE_PROLOGUE,
  P2P_PROTOCOL_VERSION,
} from "./handshake.js";
export * from "./limits.js";
export { decodeP2pMessage, encodeP2pMessage, peekP2pMessageType } from "./message-codec.js";
export * from "./types.js";
