import { decodeCanonical, encodeCanonical } from "../cbor.js";
import { CodecError } from "../errors.js";
import { readBytes, readMap, readText } from "../fields.js";
import { checkBytes, checkText, checkUint, readBoundedText, readUint } from "./fields.js";
import { MAX_WORK_DIGITS } from "./limits.js";

/** P2P protocol version carried in the handshake payload; a peer with another version is refused. */
export const P2P_PROTOCOL_VERSION = 1;
/**
 * Noise prologue of every P2P handshake (ASCII). Both sides mix it into the handshake hash, so a
 * peer of another protocol fails at the first encrypted handshake message.
 */
export const P2P_NOISE_PROLOGUE = "p2pnode/p2p/v1";

/**
 * The payload each side sends inside its Noise handshake message (DESIGN.md §5): who it is
 * (Ed25519 identity key and its signature binding the Noise static key to this session),
 * which network it is on, where to dial it back, and its best tip.
 */
export interface HandshakePayload {
  /** P2P protocol version; peers refuse versions they do not speak. */
  version: number;
  chainId: string;
  genesisHash: Uint8Array;
  identityKey: Uint8Array;
  /** Ed25519 over (handshake domain, chain id, Noise static key ‖ handshake hash). */
  signature: Uint8Array;
  /** The P2P port the sender accepts connections on (0: it does not). */
  listenPort: number;
  height: number;
  tipHash: Uint8Array;
  totalWork: string;
  /** Software name and version, for logs only. */
  agent: string;
}

const KEYS = [
  "version",
  "chainId",
  "genesisHash",
  "identityKey",
  "signature",
  "listenPort",
  "height",
  "tipHash",
  "totalWork",
  "agent",
] as const;
/** A handshake payload is small; anything larger is refused before parsing. */
export const MAX_HANDSHAKE_PAYLOAD_BYTES = 1024;
const CHAIN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const WORK = /^(0|[1-9][0-9]*)$/;

export function encodeHandshakePayload(p: HandshakePayload): Uint8Array {
  return encodeCanonical({
    version: checkUint(p.version, "handshake.version", 0xffff),
    chainId: checkText(p.chainId, "handshake.chainId", 63, CHAIN_ID),
    genesisHash: checkBytes(p.genesisHash, "handshake.genesisHash", 32),
    identityKey: checkBytes(p.identityKey, "handshake.identityKey", 32),
    signature: checkBytes(p.signature, "handshake.signature", 64),
    listenPort: checkUint(p.listenPort, "handshake.listenPort", 65535),
    height: checkUint(p.height, "handshake.height"),
    tipHash: checkBytes(p.tipHash, "handshake.tipHash", 32),
    totalWork: checkText(p.totalWork, "handshake.totalWork", MAX_WORK_DIGITS, WORK),
    agent: checkText(p.agent, "handshake.agent", 64),
  });
}

export function decodeHandshakePayload(bytes: Uint8Array): HandshakePayload {
  const what = "handshake payload";
  const map = readMap(decodeCanonical(bytes, what, MAX_HANDSHAKE_PAYLOAD_BYTES), KEYS, what);
  const chainId = readText(map, "chainId", what);
  if (!CHAIN_ID.test(chainId)) throw new CodecError("DECODE_SCHEMA", `${what}.chainId: not a chain id`);
  const totalWork = readBoundedText(map, "totalWork", what, MAX_WORK_DIGITS);
  if (!WORK.test(totalWork)) throw new CodecError("DECODE_SCHEMA", `${what}.totalWork: not a decimal`);
  return {
    version: readUint(map, "version", what, 0xffff),
    chainId,
    genesisHash: readBytes(map, "genesisHash", what, 32),
    identityKey: readBytes(map, "identityKey", what, 32),
    signature: readBytes(map, "signature", what, 64),
    listenPort: readUint(map, "listenPort", what, 65535),
    height: readUint(map, "height", what),
    tipHash: readBytes(map, "tipHash", what, 32),
    totalWork,
    agent: readBoundedText(map, "agent", what, 64),
  };
}
