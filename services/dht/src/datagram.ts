import { toHex } from "@p2pnode/codec";
import { decodeDatagram, encodeDatagram, type MsgType } from "@p2pnode/codec/dht";
import { nodeIdOf } from "@p2pnode/crypto";
import { WireError } from "./errors.js";
import type { Signer, Verifier } from "./signing.js";

/*
 * Datagrams as the DHT sees them: the codec's layout (packages/codec/src/dht/datagram.ts), signed
 * and verified in the DHT message domain. Nothing reaches the layers above unverified.
 */

export interface Datagram {
  type: MsgType;
  requestId: Uint8Array;
  requestIdHex: string;
  senderKey: Uint8Array;
  /** SHA-256 of the sender key: the id is bound to the key that signed. */
  senderId: Uint8Array;
  senderIdHex: string;
  /** The sender's current node-record sequence number: a higher one means "ask me for my record". */
  senderSeq: number;
  body: Uint8Array;
  /** Size on the wire, for amplification limits. */
  size: number;
}

export function signDatagram(
  type: MsgType,
  requestId: Uint8Array,
  senderSeq: number,
  body: Uint8Array,
  signer: Signer,
): Uint8Array {
  return encodeDatagram({ type, requestId, senderKey: signer.publicKey, senderSeq, body }, (m) =>
    signer.sign("datagram", m),
  );
}

/** Decodes (size, magic, version, type, framing: cheapest first), then verifies the signature. */
export function openDatagram(bytes: Uint8Array, verifier: Verifier): Datagram {
  const d = decodeDatagram(bytes);
  if (!verifier.verify("datagram", d.senderKey, d.signed, d.signature)) {
    throw new WireError("bad_signature", "datagram signature does not verify");
  }
  const senderId = nodeIdOf(d.senderKey);
  return {
    type: d.type,
    requestId: d.requestId,
    requestIdHex: toHex(d.requestId),
    senderKey: d.senderKey,
    senderId,
    senderIdHex: toHex(senderId),
    senderSeq: d.senderSeq,
    body: d.body,
    size: d.size,
  };
}
