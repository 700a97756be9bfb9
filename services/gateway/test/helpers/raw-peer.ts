import { randomBytes } from "node:crypto";
import { decodeP2pMessage, type P2pMessage, toHex } from "@p2pnode/codec";
import { nodeKeyFromSeed, x25519KeyPair } from "@p2pnode/crypto";
import WebSocket from "ws";
import type { SecureChannel } from "../../src/frame.js";
import { runHandshake } from "../../src/handshake.js";
import type { NetworkId } from "../../src/network-id.js";
import { SocketQueue, toBytes } from "../../src/socket-queue.js";

/**
 * A hand-driven peer for security tests: it completes a real handshake with its own identity,
 * then sends whatever it is told (valid messages, raw frames, garbage) and records everything
 * it receives, both as raw wire bytes and decrypted.
 */
export class RawPeer {
  readonly wire: Uint8Array[] = [];
  readonly received: P2pMessage[] = [];
  /** performance.now() at which each of `received` arrived. */
  readonly receivedAt: number[] = [];
  closeCode: number | undefined;
  closeReason = "";
  readonly nodeIdHex: string;

  private constructor(
    readonly ws: WebSocket,
    readonly channel: SecureChannel,
    nodeIdHex: string,
    answerPings: boolean,
  ) {
    this.nodeIdHex = nodeIdHex;
    ws.on("message", (data) => {
      const bytes = toBytes(data);
      this.wire.push(bytes);
      try {
        const m = decodeP2pMessage(channel.open(bytes));
        this.received.push(m);
        this.receivedAt.push(performance.now());
        if (answerPings && m.type === "ping") this.send({ type: "pong", nonce: m.nonce });
      } catch {
        // a test peer records what it can
      }
    });
    ws.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static async connect(
    port: number,
    network: NetworkId,
    opts: {
      seed?: Uint8Array;
      height?: number;
      answerPings?: boolean;
      localAddress?: string;
      host?: string;
      /** Claim this public key while signing with our own: an identity proof that does not verify. */
      claimKey?: Uint8Array;
      /**
       * Runs after the responder's handshake message (its payload, with its tip, is read) and
       * before our last one goes out: what happens here happens while the responder waits.
       */
      beforeLastMessage?: () => Promise<void>;
    } = {},
  ): Promise<RawPeer> {
    // localAddress: any of 127.0.0.0/8, so per-IP and per-/24 rules see distinct addresses.
    const ws = new WebSocket(`ws://${opts.host ?? "127.0.0.1"}:${port}/p2p`, {
      perMessageDeflate: false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    const queue = new SocketQueue(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    if (opts.beforeLastMessage) holdSecondSend(ws, opts.beforeLastMessage);
    const own = nodeKeyFromSeed(opts.seed ?? new Uint8Array(randomBytes(32)));
    const identity = opts.claimKey ? { ...own, publicKey: opts.claimKey } : own;
    const r = await runHandshake({
      ws,
      queue,
      initiator: true,
      local: {
        identity,
        staticKey: x25519KeyPair(),
        network,
        listenPort: 0,
        agent: "raw-peer",
        tip: () => ({ height: opts.height ?? 0, hash: new Uint8Array(32), totalWork: "0" }),
      },
      timeoutMs: 5_000,
      maxMessageBytes: 4 * 1024 * 1024,
      admit: () => undefined,
    });
    const peer = new RawPeer(ws, r.channel, identity.nodeIdHex, opts.answerPings ?? true);
    for (const f of r.leftover) ws.emit("message", Buffer.from(f), true);
    return peer;
  }

  send(msg: P2pMessage): void {
    this.ws.send(this.channel.seal(msg).bytes);
  }

  /** Encrypts arbitrary plaintext as a frame (bypassing the encoder). */
  sendPlain(plain: Uint8Array): void {
    this.ws.send(this.channel.sealRaw(plain));
  }

  /** Puts raw bytes on the socket, unencrypted. */
  sendWire(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  get closed(): boolean {
    return this.closeCode !== undefined;
  }

  invHashes(): string[] {
    return this.received.flatMap((m) => (m.type === "inv" ? m.items.map((i) => toHex(i.hash)) : []));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The initiator's second write is its last handshake message: send it once `first` is done. */
function holdSecondSend(ws: WebSocket, first: () => Promise<void>): void {
  const send = ws.send.bind(ws);
  let writes = 0;
  ws.send = ((data: Uint8Array) => {
    if (++writes !== 2) return send(data);
    void first().then(() => send(data));
  }) as typeof ws.send;
}
