import { toHex } from "@p2pnode/codec";
import {
  decodeNodeRecord,
  encodeNodeRecord,
  type NodeRecordFields,
  SIGNATURE_BYTES,
} from "@p2pnode/codec/dht";
import { nodeIdOf } from "@p2pnode/crypto";
import type { DhtNodeRecord } from "@p2pnode/types";
import { WireError } from "./errors.js";
import type { Signer, Verifier } from "./signing.js";

/*
 * Signed node records: the codec's layout (packages/codec/src/dht/node-record.ts), signed in the
 * DHT record domain. The NodeId is SHA-256 of the record's key, so a record cannot speak for
 * another node.
 */

export type { NodeRecordFields };

export interface NodeRecord extends NodeRecordFields {
  nodeId: Uint8Array;
  nodeIdHex: string;
  signature: Uint8Array;
  /** The exact signed bytes, relayed unchanged. */
  bytes: Uint8Array;
}

function withId(f: NodeRecordFields, signature: Uint8Array, bytes: Uint8Array): NodeRecord {
  const nodeId = nodeIdOf(f.publicKey);
  return { ...f, nodeId, nodeIdHex: toHex(nodeId), signature, bytes };
}

export function signRecord(f: Omit<NodeRecordFields, "publicKey">, signer: Signer): NodeRecord {
  const fields = { ...f, publicKey: signer.publicKey };
  const bytes = encodeNodeRecord(fields, (m) => signer.sign("record", m));
  return withId(fields, bytes.slice(bytes.length - SIGNATURE_BYTES), bytes);
}

/** Parses and verifies a record; a bad signature is a WireError, bad bytes a CodecError. */
export function decodeRecord(bytes: Uint8Array, verifier: Verifier): NodeRecord {
  const { signed, signature, ...fields } = decodeNodeRecord(bytes);
  if (!verifier.verify("record", fields.publicKey, signed, signature)) {
    throw new WireError("bad_signature", "node record signature does not verify");
  }
  return withId(fields, signature, bytes.slice());
}

/** Newer sequence number wins; equal numbers keep what we have. */
export const isNewerRecord = (candidate: NodeRecord, current: NodeRecord | undefined): boolean =>
  current === undefined || candidate.seq > current.seq;

export function recordToJson(r: NodeRecord): DhtNodeRecord {
  return {
    nodeId: r.nodeIdHex,
    publicKey: toHex(r.publicKey),
    seq: r.seq,
    roles: r.roles,
    ip: r.udp.host,
    udpPort: r.udp.port,
    wsPort: r.wsPort,
    signed: toHex(r.bytes),
  };
}
