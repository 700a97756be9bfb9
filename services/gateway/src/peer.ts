import { randomBytes } from "node:crypto";
import { CodecError, type P2pMessage } from "@p2pnode/codec";
import { NoiseError } from "@p2pnode/crypto";
import type { RawData, WebSocket } from "ws";
import { CLOSE_CODES, type GatewayErrorCode } from "./errors.js";
import type { SecureChannel } from "./frame.js";
import type { GatewayMetrics } from "./metrics.js";
import type { ScoreKind } from "./scoring.js";
import { BoundedSet } from "./seen-cache.js";
import { toBytes } from "./socket-queue.js";
import { TokenBucket } from "./token-bucket.js";

export type Direction = "inbound" | "outbound";

export interface PeerInit {
  id: string;
  direction: Direction;
  /** IP as seen on the socket. */
  ip: string;
  port: number;
  listenPort: number;
  agent: string;
  height: number;
  tipHash: Uint8Array;
  totalWork: string;
}

export interface PeerLimits {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
  addrPerSecond: number;
  addrBurst: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  maxQueuedBytes: number;
  /** Inventory hashes remembered per peer as "it has this". */
  knownItems: number;
  /** Requested items outstanding per peer: also the most answers that go uncharged. */
  maxRequestedPerPeer: number;
}

export interface PeerModules {
  ws: WebSocket;
  channel: SecureChannel;
  metrics: GatewayMetrics;
  onMessage: (peer: Peer, msg: P2pMessage) => void;
  /** Reports misbehaviour; `fatal` asks for a disconnect whatever the score. */
  onMisbehaviour: (peer: Peer, kind: ScoreKind, detail: string, fatal?: GatewayErrorCode) => void;
  onClose: (peer: Peer, reason: string) => void;
}

/**
 * One authenticated connection: decrypts and decodes frames under rate limits, measures latency
 * with pings, and remembers what the peer has (announced or sent) so it is never sent back.
 */
export class Peer {
  readonly connectedAt = Date.now();
  latencyMs: number | null = null;
  height: number;
  tipHash: Uint8Array;
  /** Cumulative work last announced (handshake, then status), decimal. */
  totalWork: string;
  bytesIn = 0;
  bytesOut = 0;
  lastUsefulAt = 0;
  /** Peers this peer reported in its last addr answer: edges of the network graph. */
  reportedPeers: { id: string; latencyMs: number }[] = [];
  readonly known: BoundedSet;
  private readonly msgBucket: TokenBucket;
  /** Txs and blocks we asked this peer for (getData) whose answers are not charged to msgBucket. */
  private requestCredit = 0;
  private readonly byteBucket: TokenBucket;
  readonly addrBucket: TokenBucket;
  private pingTimer: NodeJS.Timeout | undefined;
  private pending: { nonce: bigint; sentAt: number } | undefined;
  private lastPongAt = Date.now();
  private closed = false;

  constructor(
    readonly info: PeerInit,
    private readonly limits: PeerLimits,
    private readonly m: PeerModules,
  ) {
    this.height = info.height;
    this.tipHash = info.tipHash;
    this.totalWork = info.totalWork;
    this.known = new BoundedSet(limits.knownItems);
    this.msgBucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.byteBucket = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);
    this.addrBucket = new TokenBucket(limits.addrPerSecond, limits.addrBurst);
  }

  get id(): string {
    return this.info.id;
  }

  get address(): string {
    return this.info.ip.includes(":")
      ? `[${this.info.ip}]:${this.info.port}`
      : `${this.info.ip}:${this.info.port}`;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Starts reading (first the frames that came in during the handshake) and pinging. */
  start(leftover: Uint8Array[]): void {
    const { ws } = this.m;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) return this.m.onMisbehaviour(this, "BAD_FRAME", "text frame", "BAD_FRAME");
      this.receive(toBytes(data));
    });
    ws.on("close", (code: number, reason: Buffer) => this.closedBy(code, reason.toString()));
    ws.on("error", (err: Error & { code?: string }) => {
      // ws closes by itself on a frame over maxPayload (1009) and reports it here first.
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        this.m.onMisbehaviour(this, "OVERSIZE_FRAME", err.message, "OVERSIZE_FRAME");
      }
    });
    for (const f of leftover) this.receive(f);
    this.ping();
    this.pingTimer = setInterval(() => this.ping(), this.limits.pingIntervalMs);
    this.pingTimer.unref();
  }

  send(msg: P2pMessage): boolean {
    if (this.closed) return false;
    if (this.m.ws.bufferedAmount > this.limits.maxQueuedBytes) {
      this.close("SLOW_PEER");
      return false;
    }
    const frame = this.m.channel.seal(msg);
    this.m.ws.send(frame.bytes);
    if (msg.type === "getData") {
      this.requestCredit = Math.min(this.requestCredit + msg.items.length, this.limits.maxRequestedPerPeer);
    }
    this.bytesOut += frame.bytes.length;
    this.m.metrics.message("sent", frame.type, frame.plainBytes);
    return true;
  }

  close(code: GatewayErrorCode): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    try {
      this.m.ws.close(CLOSE_CODES[code], code);
    } catch {
      this.m.ws.terminate();
    }
    // Do not wait for the remote's close frame: a hostile peer may never send it.
    setTimeout(() => this.m.ws.terminate(), 2_000).unref();
    this.m.onClose(this, code);
  }

  private flooded(): void {
    this.m.onMisbehaviour(this, "FLOOD", "message or byte rate exceeded; message dropped");
  }

  private closedBy(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.m.onClose(this, reason || `REMOTE_CLOSED_${code}`);
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytesIn += bytes.length;
    const size = this.m.channel.plainSize(bytes.length);
    if (size < 0) {
      this.m.onMisbehaviour(this, "BAD_FRAME", `impossible frame length ${bytes.length}`, "BAD_FRAME");
      return;
    }
    if (size > this.m.channel.maxMessageBytes) {
      this.m.onMisbehaviour(this, "OVERSIZE_FRAME", `${size} bytes`, "OVERSIZE_FRAME");
      return;
    }
    let plain: Uint8Array;
    try {
      plain = this.m.channel.open(bytes);
    } catch (err) {
      const detail = err instanceof NoiseError ? err.message : String(err);
      this.m.onMisbehaviour(this, "BAD_FRAME", detail, "BAD_FRAME");
      return;
    }
    // Rate limits apply after decryption: a dropped frame must still advance the receive nonce,
    // or every later frame of the session would fail to authenticate. The byte bucket bounds
    // what is decoded; the message bucket is charged after decoding, because the txs and blocks
    // we asked for with getData are not a flood whatever their rate: we chose how many to ask
    // for, and an honest peer sends them back as fast as it can. Each item we asked for is a
    // credit for one such message; a peer can never send more free messages than we requested.
    if (!this.byteBucket.take(bytes.length)) {
      this.flooded();
      return;
    }
    let msg: P2pMessage;
    try {
      msg = this.m.channel.decode(plain).msg;
    } catch (err) {
      if (err instanceof CodecError && err.code === "DECODE_UNSUPPORTED") {
        this.m.onMisbehaviour(this, "UNKNOWN_MESSAGE", err.message);
        return;
      }
      this.m.onMisbehaviour(this, "MALFORMED_MESSAGE", (err as Error).message, "MALFORMED_MESSAGE");
      return;
    }
    if ((msg.type === "tx" || msg.type === "block") && this.requestCredit > 0) this.requestCredit--;
    else if (!this.msgBucket.take()) {
      this.flooded();
      return;
    }
    this.m.metrics.message("received", msg.type, plain.length);
    if (msg.type === "ping") {
      this.send({ type: "pong", nonce: msg.nonce });
      return;
    }
    if (msg.type === "pong") {
      this.pong(msg.nonce);
      return;
    }
    this.m.onMessage(this, msg);
  }

  private ping(): void {
    if (this.closed) return;
    if (Date.now() - this.lastPongAt > this.limits.pingTimeoutMs) {
      this.close("PING_TIMEOUT");
      return;
    }
    if (this.pending) return; // one ping in flight; its pong (or the timeout) decides
    const nonce = randomBytes(8).readBigUInt64BE();
    this.pending = { nonce, sentAt: performance.now() };
    this.send({ type: "ping", nonce });
  }

  private pong(nonce: bigint): void {
    if (!this.pending || this.pending.nonce !== nonce) {
      this.m.onMisbehaviour(this, "UNSOLICITED", "pong without a matching ping");
      return;
    }
    const rtt = performance.now() - this.pending.sentAt;
    this.pending = undefined;
    this.lastPongAt = Date.now();
    this.latencyMs = Math.round(rtt * 100) / 100;
    this.m.metrics.pingRtt.observe(rtt / 1000);
  }
}
