import {
  CodecError,
  decodeHandshakePayload,
  encodeHandshakePayload,
  equalBytes,
  type HandshakePayload,
  toHex,
} from "@p2pnode/codec";
import {
  CryptoError,
  type NodeKey,
  NoiseError,
  NoiseXX,
  nodeIdOf,
  noiseIdentitySignature,
  opensslChaChaPoly,
  type SignedMessage,
  signNoiseIdentity,
  verify,
  type X25519KeyPair,
} from "@p2pnode/crypto";
import type { WebSocket } from "ws";
import { CLOSE_CODES, GatewayError } from "./errors.js";
import { SecureChannel } from "./frame.js";
import type { NetworkId } from "./network-id.js";
import type { SocketQueue } from "./socket-queue.js";

/** P2P protocol version carried in the handshake; a peer with another major version is refused. */
export const PROTOCOL_VERSION = 1;
/** Bound into the Noise prologue: a different protocol fails the handshake outright. */
const PROLOGUE = new TextEncoder().encode("p2pnode/p2p/v1");

export interface LocalInfo {
  identity: NodeKey;
  /** Per-process X25519 key; the identity key vouches for it in every handshake. */
  staticKey: X25519KeyPair;
  network: NetworkId;
  listenPort: number;
  agent: string;
  tip: () => { height: number; hash: Uint8Array; totalWork: string };
}

export interface HandshakeResult {
  channel: SecureChannel;
  remote: HandshakePayload;
  nodeIdHex: string;
  /** Frames that arrived behind the last handshake message. */
  leftover: Uint8Array[];
}

export interface HandshakeParams {
  ws: WebSocket;
  queue: SocketQueue;
  initiator: boolean;
  local: LocalInfo;
  timeoutMs: number;
  maxMessageBytes: number;
  /** Admission after authentication (bans, duplicates, allowlist, caps); throws a GatewayError. */
  admit: (nodeIdHex: string, remote: HandshakePayload) => void;
  /** The service's VerifyPool: the identity signature is checked off the event loop. Absent: inline. */
  verifier?: SignatureVerifier;
}

/** What the handshake needs of a VerifyPool (packages/crypto). */
export interface SignatureVerifier {
  verify(item: SignedMessage): Promise<boolean>;
}

/**
 * Runs Noise XX over a fresh socket. Either side closes with a reason code on failure: wrong
 * network or version, bad identity proof, self-connection, refused admission, or a handshake
 * that takes longer than the deadline.
 */
export async function runHandshake(p: HandshakeParams): Promise<HandshakeResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError("HANDSHAKE_TIMEOUT", `handshake not done in ${p.timeoutMs} ms`)),
      p.timeoutMs,
    );
  });
  deadline.catch(() => undefined);
  try {
    const result = await exchange(p, deadline);
    return result;
  } catch (err) {
    const e = asGatewayError(err);
    // A refusal the remote sent us needs no answer; our own refusals close with their code.
    if (!(e.details as { closeCode?: number } | undefined)?.closeCode) closeWith(p.ws, e.code);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function exchange(p: HandshakeParams, deadline: Promise<never>): Promise<HandshakeResult> {
  const hs = new NoiseXX({ initiator: p.initiator, staticKey: p.local.staticKey, prologue: PROLOGUE });
  const payload = (h: Uint8Array) => ownPayload(p.local, h);
  let remote: HandshakePayload;
  if (p.initiator) {
    p.ws.send(hs.writeMessage());
    remote = decodePayload(hs.readMessage(await p.queue.next(deadline)));
    const nodeIdHex = await checkRemote(p, hs, remote, deadline);
    p.ws.send(hs.writeMessage(payload));
    // XX completes on the initiator's side first; the responder's verdict (its first frame, a
    // ping, or a close with the refusal reason) arrives next. Wait for it so a dialler learns
    // why it was refused instead of seeing a connection that dies at once.
    await p.queue.peek(deadline);
    return finish(p, hs, remote, nodeIdHex);
  }
  const first = hs.readMessage(await p.queue.next(deadline));
  if (first.length !== 0)
    throw new GatewayError("BAD_HANDSHAKE", "the first handshake message carries no payload");
  p.ws.send(hs.writeMessage(payload));
  remote = decodePayload(hs.readMessage(await p.queue.next(deadline)));
  const nodeIdHex = await checkRemote(p, hs, remote, deadline);
  return finish(p, hs, remote, nodeIdHex);
}

function finish(
  p: HandshakeParams,
  hs: NoiseXX,
  remote: HandshakePayload,
  nodeIdHex: string,
): HandshakeResult {
  // Transport uses OpenSSL's ChaCha20-Poly1305 (same bytes as noble's, ~10x the throughput).
  const channel = new SecureChannel(hs.split(opensslChaChaPoly), p.maxMessageBytes);
  return { channel, remote, nodeIdHex, leftover: p.queue.detach() };
}

function ownPayload(local: LocalInfo, h: Uint8Array): Uint8Array {
  const tip = local.tip();
  return encodeHandshakePayload({
    version: PROTOCOL_VERSION,
    chainId: local.network.chainId,
    genesisHash: local.network.genesisHash,
    identityKey: local.identity.publicKey,
    signature: signNoiseIdentity(local.identity, local.network.chainId, local.staticKey.publicKey, h),
    listenPort: local.listenPort,
    height: tip.height,
    tipHash: tip.hash,
    totalWork: tip.totalWork,
    agent: local.agent,
  });
}

function decodePayload(bytes: Uint8Array): HandshakePayload {
  try {
    return decodeHandshakePayload(bytes);
  } catch (err) {
    throw new GatewayError("BAD_HANDSHAKE", `handshake payload: ${(err as Error).message}`);
  }
}

/** Checks the remote's payload in the order that gives the most useful refusal reason. */
async function checkRemote(
  p: HandshakeParams,
  hs: NoiseXX,
  remote: HandshakePayload,
  deadline: Promise<never>,
): Promise<string> {
  const { network } = p.local;
  if (remote.version !== PROTOCOL_VERSION) {
    throw new GatewayError(
      "BAD_VERSION",
      `peer speaks protocol ${remote.version}, we speak ${PROTOCOL_VERSION}`,
    );
  }
  if (remote.chainId !== network.chainId) {
    throw new GatewayError("WRONG_CHAIN", `peer is on chain ${remote.chainId}, we are on ${network.chainId}`);
  }
  if (!equalBytes(remote.genesisHash, network.genesisHash)) {
    throw new GatewayError("WRONG_GENESIS", `peer's genesis ${toHex(remote.genesisHash)} differs from ours`);
  }
  // Taken before the await: the handshake hash is the one the remote's proof was made at.
  const signed = noiseIdentitySignature(
    remote.signature,
    network.chainId,
    hs.remoteStaticKey!,
    hs.payloadHash,
    remote.identityKey,
  );
  if (!(await identityVerified(p, signed, deadline))) {
    throw new GatewayError("BAD_IDENTITY", "the identity signature does not cover this session's Noise key");
  }
  const nodeIdHex = toHex(nodeIdOf(remote.identityKey));
  if (nodeIdHex === p.local.identity.nodeIdHex)
    throw new GatewayError("SELF_CONNECTION", "connected to ourselves");
  p.admit(nodeIdHex, remote);
  return nodeIdHex;
}

/**
 * crypto's verify() on the service's pool (racing the handshake deadline), or inline without a
 * pool or when the pool cannot answer (a thread died twice, the pool is closing): same verdict.
 */
async function identityVerified(
  p: HandshakeParams,
  s: SignedMessage,
  deadline: Promise<never>,
): Promise<boolean> {
  const inline = () => verify(s.signature, s.message, s.publicKey);
  if (!p.verifier) return inline();
  const pooled = p.verifier.verify(s).catch((err: unknown) => {
    if (err instanceof CryptoError && err.status === 503) return inline();
    throw err;
  });
  return Promise.race([pooled, deadline]);
}

function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof NoiseError || err instanceof CodecError) {
    return new GatewayError("BAD_HANDSHAKE", `${err.code}: ${err.message}`);
  }
  return new GatewayError("BAD_HANDSHAKE", (err as Error)?.message ?? "handshake failed");
}

export function closeWith(ws: WebSocket, code: keyof typeof CLOSE_CODES): void {
  try {
    ws.close(CLOSE_CODES[code], code);
  } catch {
    ws.terminate();
  }
}
