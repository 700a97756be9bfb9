import { randomBytes } from "node:crypto";
import {
  decodeHandshakePayload,
  decodeP2pMessage,
  encodeHandshakePayload,
  encodeP2pMessage,
  fromHex,
  type P2pMessage,
} from "@p2pnode/codec";
import {
  NoiseXX,
  nodeKeyFromSeed,
  openFrame,
  opensslChaChaPoly,
  sealFrame,
  signNoiseIdentity,
  type TransportCiphers,
  x25519KeyPair,
} from "@p2pnode/crypto";
import WebSocket from "ws";

/*
 * A peer built from the wire protocol alone (packages/codec/PROTOCOL.md §6–8, codec and crypto,
 * no gateway code): it completes the Noise XX handshake with its own identity, answers pings,
 * fetches everything announced to it (as a real peer would, so txs and blocks cross the wire),
 * and records every decrypted frame it receives. A privacy test reads what any peer sees.
 */

const PROLOGUE = new TextEncoder().encode("p2pnode/p2p/v1");
const MAX_PLAINTEXT = 4 * 1024 * 1024;
/*
 * How long the helper waits for each handshake message. A loaded machine (both cores busy, load
 * average 30) can hold the node's answer for seconds, so it is generous; the node's own deadline
 * (the gateway's 5 s handshake timeout) is what closes a slow handshake first.
 */
const HANDSHAKE_MESSAGE_TIMEOUT_MS = 60_000;
/*
 * A real dialer that loses a handshake to the node's deadline backs off and dials again (the
 * gateway's own dialer does): so does this peer, a bounded number of times, and says why each
 * attempt failed if the last one does.
 */
const CONNECT_ATTEMPTS = 5;
const RETRY_DELAY_MS = 1_000;

/** The node closed the socket before the handshake was over (its deadline, or a refusal). */
class HandshakeClosed extends Error {}

export interface PeerNetwork {
  chainId: string;
  genesisHash: string;
}

export class ProtocolPeer {
  /** Every frame received after the handshake, decrypted (type byte ‖ CBOR body). */
  readonly plaintexts: Uint8Array[] = [];
  closeReason = "";
  readonly nodeIdHex: string;

  private constructor(
    private readonly ws: WebSocket,
    private readonly ciphers: TransportCiphers,
    nodeIdHex: string,
  ) {
    this.nodeIdHex = nodeIdHex;
    ws.on("message", (data: Buffer) => this.onFrame(new Uint8Array(data)));
    ws.on("close", (code, reason) => {
      this.closeReason = `${code} ${reason.toString()}`;
    });
  }

  /**
   * Connects and completes the handshake, dialling again (up to CONNECT_ATTEMPTS) when the node
   * closes the socket before the handshake is over; any other failure is thrown at once.
   */
  static async connect(port: number, network: PeerNetwork): Promise<ProtocolPeer> {
    const failures: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await ProtocolPeer.connectOnce(port, network);
      } catch (err) {
        if (!(err instanceof HandshakeClosed)) throw err;
        failures.push(`attempt ${attempt}: ${err.message}`);
        if (attempt >= CONNECT_ATTEMPTS)
          throw new Error(`handshake with 127.0.0.1:${port} failed ${attempt} times: ${failures.join("; ")}`);
        // Said in the test's output: a retry that hides a slow node should still be seen.
        console.warn(`protocol peer: handshake with 127.0.0.1:${port} ${failures.at(-1)}; dialling again`);
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    }
  }

  private static async connectOnce(port: number, network: PeerNetwork): Promise<ProtocolPeer> {
    const started = Date.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/p2p`, { perMessageDeflate: false });
    const inbox: Uint8Array[] = [];
    let closed: string | undefined;
    let wake: (() => void) | undefined;
    ws.on("message", (d: Buffer) => {
      inbox.push(new Uint8Array(d));
      wake?.();
    });
    ws.on("close", (code, reason) => {
      closed = `the node closed the socket (code ${code}${reason.length ? ` ${reason}` : ""}) ${Date.now() - started} ms after the dial`;
      wake?.();
    });
    const next = async (step: string): Promise<Uint8Array> => {
      const deadline = Date.now() + HANDSHAKE_MESSAGE_TIMEOUT_MS;
      while (inbox.length === 0) {
        if (closed !== undefined) throw new HandshakeClosed(`${closed}, waiting for ${step}`);
        if (Date.now() > deadline)
          throw new Error(`handshake: no ${step} from the node in ${HANDSHAKE_MESSAGE_TIMEOUT_MS} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return inbox.shift()!;
    };
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", (err) => reject(new HandshakeClosed(`dial: ${err.message}`)));
    });
    const identity = nodeKeyFromSeed(new Uint8Array(randomBytes(32)));
    const staticKey = x25519KeyPair();
    const hs = new NoiseXX({ initiator: true, staticKey, prologue: PROLOGUE });
    ws.send(hs.writeMessage());
    const remote = decodeHandshakePayload(hs.readMessage(await next("Noise message 2")));
    if (remote.chainId !== network.chainId) throw new TypeError(`node is on ${remote.chainId}`);
    ws.send(
      hs.writeMessage((h) =>
        encodeHandshakePayload({
          version: 1,
          chainId: network.chainId,
          genesisHash: fromHex(network.genesisHash, "genesisHash", 32),
          identityKey: identity.publicKey,
          signature: signNoiseIdentity(identity, network.chainId, staticKey.publicKey, h),
          listenPort: 0,
          height: 0,
          tipHash: new Uint8Array(32),
          totalWork: "0",
          agent: "protocol-test-peer",
        }),
      ),
    );
    // The node's first frame (a ping) or its refusal comes next (PROTOCOL.md §6).
    await next("first frame").then((first) => inbox.unshift(first));
    ws.removeAllListeners("message");
    const peer = new ProtocolPeer(ws, hs.split(opensslChaChaPoly), identity.nodeIdHex);
    for (const f of inbox.splice(0)) peer.onFrame(f);
    return peer;
  }

  send(msg: P2pMessage): void {
    this.ws.send(sealFrame(this.ciphers.send, encodeP2pMessage(msg)));
  }

  close(): void {
    this.ws.terminate();
  }

  private onFrame(sealed: Uint8Array): void {
    let plain: Uint8Array;
    try {
      plain = openFrame(this.ciphers.receive, sealed, MAX_PLAINTEXT);
    } catch (err) {
      this.closeReason = `undecryptable frame: ${(err as Error).message}`;
      this.ws.terminate();
      return;
    }
    this.plaintexts.push(plain);
    let msg: P2pMessage;
    try {
      msg = decodeP2pMessage(plain);
    } catch {
      return; // a newer message type: recorded, not understood
    }
    if (msg.type === "ping") this.send({ type: "pong", nonce: msg.nonce });
    if (msg.type === "inv") this.send({ type: "getData", items: msg.items });
  }
}
