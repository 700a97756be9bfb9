import type { DhtNodeRecord, Role } from "@p2pnode/types";
import { ByteReader, ByteWriter, toHex } from "./bytes.js";
import { type Endpoint, readEndpoint, writeEndpoint } from "./endpoint.js";
import { WireError } from "./errors.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type Signer, type Verifier } from "./keys.js";
import { nodeIdOfKey } from "./node-id.js";

/*
 * Signed node record (DESIGN.md §5), the DHT's answer to "who is this node and where do I dial it":
 *
 *   version u8 = 1 | public key 32 | seq u64 | roles u8 (bit mask) | family u8 | ip 4/16 | udp port u16
 *   | ws port u16 | signature 64 over DOMAIN.record ‖ network id ‖ everything before it
 *
 * The NodeId is not stored: it is SHA-256 of the key, so a record cannot claim another node's id.
 */

export const RECORD_VERSION = 1;
export const MAX_RECORD_BYTES = 1 + 32 + 8 + 1 + 19 + 2 + 64;
const ROLE_BITS: Record<Role, number> = { miner: 1, full: 2, light: 4, validator: 8 };

export interface NodeRecordFields {
  publicKey: Uint8Array;
  seq: number;
  roles: Role[];
  /** Advertised UDP endpoint; host "0.0.0.0" while the node does not know its public address. */
  udp: Endpoint;
  /** P2P WebSocket port, 0 for none. */
  wsPort: number;
}

export interface NodeRecord extends NodeRecordFields {
  nodeId: Uint8Array;
  nodeIdHex: string;
  signature: Uint8Array;
  /** The exact signed bytes, relayed unchanged. */
  bytes: Uint8Array;
}

function encodeUnsigned(f: NodeRecordFields): Uint8Array {
  const w = new ByteWriter().u8(RECORD_VERSION).bytes(f.publicKey).u64(f.seq);
  w.u8(f.roles.reduce((m, r) => m | ROLE_BITS[r], 0));
  writeEndpoint(w, f.udp);
  return w.u16(f.wsPort).finish();
}

export function signRecord(f: Omit<NodeRecordFields, "publicKey">, signer: Signer): NodeRecord {
  const fields = { ...f, publicKey: signer.publicKey };
  const unsigned = encodeUnsigned(fields);
  const signature = signer.sign("record", unsigned);
  const bytes = new Uint8Array(unsigned.length + SIGNATURE_BYTES);
  bytes.set(unsigned);
  bytes.set(signature, unsigned.length);
  const nodeId = nodeIdOfKey(signer.publicKey);
  return { ...fields, nodeId, nodeIdHex: toHex(nodeId), signature, bytes };
}

/** Parses and verifies a record; anything wrong is a WireError (the datagram carrying it is dropped). */
export function decodeRecord(bytes: Uint8Array, verifier: Verifier): NodeRecord {
  if (bytes.length > MAX_RECORD_BYTES) throw new WireError("malformed_body", "node record too large");
  const r = new ByteReader(bytes, "node record");
  const version = r.u8();
  if (version !== RECORD_VERSION) throw new WireError("malformed_body", `node record version ${version}`);
  const publicKey = r.bytes(PUBLIC_KEY_BYTES);
  const seq = r.u64();
  const mask = r.u8();
  const roles = (Object.keys(ROLE_BITS) as Role[]).filter((role) => (mask & ROLE_BITS[role]) !== 0);
  const udp = readEndpoint(r);
  const wsPort = r.u16();
  const signedLen = r.offset;
  const signature = r.bytes(SIGNATURE_BYTES);
  r.end();
  if (!verifier.verify("record", publicKey, bytes.subarray(0, signedLen), signature)) {
    throw new WireError("bad_signature", "node record signature does not verify");
  }
  const nodeId = nodeIdOfKey(publicKey);
  return {
    publicKey: publicKey.slice(),
    seq,
    roles,
    udp,
    wsPort,
    nodeId,
    nodeIdHex: toHex(nodeId),
    signature: signature.slice(),
    bytes: bytes.slice(),
  };
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
