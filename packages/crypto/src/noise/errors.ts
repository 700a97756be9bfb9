import { CodedError } from "@p2pnode/types/coded-error";

/** Why a Noise handshake or transport step failed. Closed set: peers see these codes as close reasons. */
export type NoiseErrorCode =
  /** A handshake message of the wrong length for its position in the pattern. */
  | "NOISE_BAD_MESSAGE"
  /** Authentication failed: a tampered, replayed or misdirected message, or the wrong key. */
  | "NOISE_DECRYPT_FAILED"
  /** A DH with a low-order or malformed public key. */
  | "NOISE_BAD_KEY"
  /** A call out of turn: writing when it is the peer's turn, splitting before the end, a used nonce space. */
  | "NOISE_STATE";

export class NoiseError extends CodedError<NoiseErrorCode> {
  constructor(code: NoiseErrorCode, message: string) {
    super(code, message, undefined, 400);
    this.name = "NoiseError";
  }
}
