import {
  encodeHandshakePayload,
  encodeHeader,
  encodeP2pMessage,
  type HandshakePayload,
  P2P_NOISE_PROLOGUE,
  P2P_PROTOCOL_VERSION,
  type P2pMessage,
  toHex,
} from "@p2pnode/codec";
import {
  NOISE_PROTOCOL_NAME,
  type NodeKey,
  NoiseXX,
  nodeKeyFromSeed,
  opensslChaChaPoly,
  SIGNING_DOMAINS,
  sealFrame,
  sha256,
  signingBytes,
  signNoiseIdentity,
  x25519KeyPair,
} from "../src/index.js";

/*
 * A whole P2P session opening with fixed keys: the three Noise XX handshake messages with both
 * identity payloads (and the exact bytes each identity signature covers), then transport frames,
 * small and chunked. Everything is deterministic: X25519 and Ed25519 are, and the ephemeral keys
 * are fixed here (a real node draws them at random).
 */

export const HANDSHAKE_CHAIN_ID = "p2pnode-devnet";
const counting = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

export interface Side {
  identitySeed: Uint8Array;
  staticPrivate: Uint8Array;
  ephemeralPrivate: Uint8Array;
  listenPort: number;
  height: number;
  tipHash: Uint8Array;
  totalWork: string;
  agent: string;
}

export const GENESIS_HASH = sha256(new TextEncoder().encode("a stand-in genesis"));
export const INITIATOR: Side = {
  identitySeed: counting(32, 0x01),
  staticPrivate: counting(32, 0x21),
  ephemeralPrivate: counting(32, 0x41),
  listenPort: 7101,
  height: 0,
  tipHash: new Uint8Array(32),
  totalWork: "0",
  agent: "p2pnode/0.1.0",
};
export const RESPONDER: Side = {
  identitySeed: counting(32, 0x81),
  staticPrivate: counting(32, 0xa1),
  ephemeralPrivate: counting(32, 0xc1),
  listenPort: 7102,
  height: 12,
  tipHash: counting(32, 0xe0),
  totalWork: "50331660",
  agent: "p2pnode/0.1.0",
};

/** The payload a side sends, its identity signature bound to handshake hash `h`. */
export function payloadOf(side: Side, h: Uint8Array): HandshakePayload {
  const identity = nodeKeyFromSeed(side.identitySeed);
  const noiseStatic = x25519KeyPair(side.staticPrivate).publicKey;
  return {
    version: P2P_PROTOCOL_VERSION,
    chainId: HANDSHAKE_CHAIN_ID,
    genesisHash: GENESIS_HASH,
    identityKey: identity.publicKey,
    signature: signNoiseIdentity(identity, HANDSHAKE_CHAIN_ID, noiseStatic, h),
    listenPort: side.listenPort,
    height: side.height,
    tipHash: side.tipHash,
    totalWork: side.totalWork,
    agent: side.agent,
  };
}

export const noiseOf = (side: Side, initiator: boolean) =>
  new NoiseXX({
    initiator,
    prologue: new TextEncoder().encode(P2P_NOISE_PROLOGUE),
    staticKey: x25519KeyPair(side.staticPrivate),
    ephemeralKey: x25519KeyPair(side.ephemeralPrivate),
  });

/** The first frames of the session: the responder's ping, the initiator's status, a chunked one. */
export const TRANSPORT_MESSAGES: { from: "initiator" | "responder"; message: P2pMessage }[] = [
  { from: "responder", message: { type: "ping", nonce: 1n } },
  { from: "initiator", message: { type: "status", height: 0, tipHash: new Uint8Array(32), totalWork: "0" } },
  // 400 headers: a 71,213-byte plaintext, sealed as two Noise messages (65,535 + 5,710 bytes)
  {
    from: "responder",
    message: {
      type: "headers",
      headers: Array.from({ length: 400 }, (_, i) =>
        encodeHeader({
          version: 1,
          height: i,
          prevHash: new Uint8Array(32),
          txRoot: new Uint8Array(32),
          stateRoot: new Uint8Array(32),
          timestamp: 1_700_000_000_000 + i,
          target: new Uint8Array(32).fill(0xff),
          miner: new Uint8Array(20),
          nonce: BigInt(i),
        }),
      ),
    },
  },
];

function sideJson(side: Side, key: NodeKey) {
  return {
    identitySeed: toHex(side.identitySeed),
    identityKey: toHex(key.publicKey),
    nodeId: key.nodeIdHex,
    noiseStaticPrivate: toHex(side.staticPrivate),
    noiseStaticPublic: toHex(x25519KeyPair(side.staticPrivate).publicKey),
    ephemeralPrivate: toHex(side.ephemeralPrivate),
    ephemeralPublic: toHex(x25519KeyPair(side.ephemeralPrivate).publicKey),
  };
}

/** What the payload written now will carry, and the bytes its signature covers. */
function payloadStep(side: Side, h: Uint8Array) {
  const payload = payloadOf(side, h);
  const noiseStatic = x25519KeyPair(side.staticPrivate).publicKey;
  const covered = new Uint8Array([...noiseStatic, ...h]);
  return {
    handshakeHash: toHex(h),
    signedBytes: toHex(signingBytes(SIGNING_DOMAINS.handshake, HANDSHAKE_CHAIN_ID, covered)),
    payload: toHex(encodeHandshakePayload(payload)),
    bytes: encodeHandshakePayload(payload),
  };
}

/** Writes `side`'s payload message; returns it with what the payload carried. */
function writeWithPayload(hs: NoiseXX, side: Side): [Uint8Array, ReturnType<typeof payloadStep>] {
  const steps: ReturnType<typeof payloadStep>[] = [];
  const message = hs.writeMessage((h) => {
    steps.push(payloadStep(side, h));
    return steps[0]!.bytes;
  });
  return [message, steps[0]!];
}

export function handshakeVectors() {
  const i = noiseOf(INITIATOR, true);
  const r = noiseOf(RESPONDER, false);
  const m1 = i.writeMessage();
  r.readMessage(m1);
  const [m2, step2] = writeWithPayload(r, RESPONDER);
  i.readMessage(m2);
  const [m3, step3] = writeWithPayload(i, INITIATOR);
  r.readMessage(m3);
  const ti = i.split(opensslChaChaPoly);
  const tr = r.split(opensslChaChaPoly);
  const strip = ({ bytes: _, ...s }: ReturnType<typeof payloadStep>) => s;
  return {
    protocolName: NOISE_PROTOCOL_NAME,
    prologue: P2P_NOISE_PROLOGUE,
    chainId: HANDSHAKE_CHAIN_ID,
    genesisHash: toHex(GENESIS_HASH),
    initiator: sideJson(INITIATOR, nodeKeyFromSeed(INITIATOR.identitySeed)),
    responder: sideJson(RESPONDER, nodeKeyFromSeed(RESPONDER.identitySeed)),
    messages: [
      { from: "initiator", pattern: "e", payload: "", hex: toHex(m1) },
      { from: "responder", pattern: "e, ee, s, es", ...strip(step2), hex: toHex(m2) },
      { from: "initiator", pattern: "s, se", ...strip(step3), hex: toHex(m3) },
    ],
    finalHandshakeHash: toHex(i.handshakeHash),
    transport: TRANSPORT_MESSAGES.map((t) => {
      const plain = encodeP2pMessage(t.message);
      const sealed = sealFrame(t.from === "initiator" ? ti.send : tr.send, plain);
      const small = sealed.length <= 2048;
      return {
        from: t.from,
        type: t.message.type,
        plaintextBytes: plain.length,
        sealedBytes: sealed.length,
        ...(small
          ? { plaintext: toHex(plain), sealed: toHex(sealed) }
          : { sealedSha256: toHex(sha256(sealed)) }),
      };
    }),
  };
}
