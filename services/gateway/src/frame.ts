import {
  decodeP2pMessage,
  encodeP2pMessage,
  type P2pMessage,
  type P2pMessageType,
  peekP2pMessageType,
} from "@p2pnode/codec";
import { openedLength, openFrame, sealFrame, type TransportCiphers } from "@p2pnode/crypto";

/*
 * Frame layout: one WebSocket binary message = one P2P message, sealed with the session's Noise
 * transport cipher in 65,535-byte Noise messages (crypto's sealFrame). Plaintext = type code
 * (1 byte) ‖ canonical CBOR body (codec p2p). Everything after the handshake goes this way.
 */

export interface SealedFrame {
  bytes: Uint8Array;
  type: P2pMessageType;
  plainBytes: number;
}

/** Both directions of one authenticated session. Errors: NoiseError (crypto), CodecError (codec). */
export class SecureChannel {
  constructor(
    private readonly ciphers: TransportCiphers,
    readonly maxMessageBytes: number,
  ) {}

  seal(msg: P2pMessage): SealedFrame {
    const plain = encodeP2pMessage(msg);
    return { bytes: sealFrame(this.ciphers.send, plain), type: msg.type, plainBytes: plain.length };
  }

  /** Raw bytes as a frame: for tests that must send what an honest encoder never would. */
  sealRaw(plain: Uint8Array): Uint8Array {
    return sealFrame(this.ciphers.send, plain);
  }

  /** Size of the plaintext a sealed frame holds, from its length alone (−1: impossible length). */
  plainSize(sealedLength: number): number {
    return openedLength(sealedLength);
  }

  /** Decrypts (authenticating) a frame; the size limit is checked before decrypting. */
  open(sealed: Uint8Array): Uint8Array {
    return openFrame(this.ciphers.receive, sealed, this.maxMessageBytes);
  }

  decode(plain: Uint8Array): { msg: P2pMessage; type: P2pMessageType | undefined } {
    return { msg: decodeP2pMessage(plain), type: peekP2pMessageType(plain) };
  }
}
