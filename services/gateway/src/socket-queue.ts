import type { RawData, WebSocket } from "ws";
import { codeOfClose, GatewayError } from "./errors.js";

/** Bytes of one ws message, whatever shape ws handed it in. */
export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Buffers a socket's messages from the moment it opens, so the handshake can read them one at a
 * time and the peer can take over whatever arrived right after the last handshake message.
 */
export class SocketQueue {
  private readonly queue: Uint8Array[] = [];
  private waiter: ((m: Uint8Array | GatewayError) => void) | undefined;
  private closed: GatewayError | undefined;
  private readonly onMessage = (data: RawData, isBinary: boolean) => {
    if (!isBinary) return this.fail(new GatewayError("BAD_FRAME", "text frame on the P2P socket"));
    this.push(toBytes(data));
  };
  private readonly onClose = (code: number, reason: Buffer) => {
    const name = codeOfClose(code);
    this.fail(
      new GatewayError(name, `remote closed: ${reason.toString() || name} (${code})`, { closeCode: code }),
    );
  };
  private readonly onError = (err: Error) => this.fail(new GatewayError("REMOTE_CLOSED", err.message));

  constructor(readonly ws: WebSocket) {
    ws.on("message", this.onMessage);
    ws.on("close", this.onClose);
    ws.on("error", this.onError);
  }

  private push(m: Uint8Array): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(m);
    } else this.queue.push(m);
  }

  private fail(err: GatewayError): void {
    if (this.closed) return;
    this.closed = err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(err);
  }

  /** The next message, or the close that came first; a deadline turns into HANDSHAKE_TIMEOUT. */
  next(deadline: Promise<never>): Promise<Uint8Array> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.closed) return Promise.reject(this.closed);
    const got = new Promise<Uint8Array>((resolve, reject) => {
      this.waiter = (x) => (x instanceof GatewayError ? reject(x) : resolve(x));
    });
    return Promise.race([got, deadline]);
  }

  /** Waits until a message is queued (left in place) or the socket closes. */
  async peek(deadline: Promise<never>): Promise<void> {
    const m = await this.next(deadline);
    this.queue.unshift(m);
  }

  /** Stops buffering and hands over what is queued. */
  detach(): Uint8Array[] {
    this.ws.off("message", this.onMessage);
    this.ws.off("close", this.onClose);
    this.ws.off("error", this.onError);
    return this.queue.splice(0);
  }
}
