import type { Role } from "@p2pnode/types";
import { ByteReader, ByteWriter } from "../binary.js";
import { assertBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import { appendSignature, type SignFn } from "./datagram.js";
import { type Endpoint, readEndpoint, writeEndpoint } from "./endpoint.js";
import { MAX_ENDPOINT_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "./limits.js";

/*
 * Signed node record, the DHT's answer to "who is this node and where do I dial it":
 *
 *   version u8 = 2 | public key 32 | seq u64 | roles u8 (bit mask) | family u8 | ip 4/16 | udp port u16
 *   | ws port u16 | signature 64 by the key over everything before it, in the DHT record domain
 *
 * The NodeId is not stored: it is SHA-256 of the key, so a record cannot claim another node's id.
 */

export const RECORD_VERSION = 2;
export const MAX_RECORD_BYTES = 1 + PUBLIC_KEY_BYTES + 8 + 1 + MAX_ENDPOINT_BYTES + 2 + SIGNATURE_BYTES;
/** Role bits of the record's roles byte; unknown bits are ignored (a newer node may have more roles). */
export const ROLE_BITS: Record<Role, number> = { miner: 1, full: 2, light: 4, validator: 8 };

export interface NodeRecordFields {
  publicKey: Uint8Array;
  seq: number;
  roles: Role[];
  /** Advertised UDP endpoint; host "0.0.0.0" while the node does not know its public address. */
  udp: Endpoint;
  /** P2P WebSocket port, 0 for none. */
  wsPort: number;
}

export interface DecodedNodeRecord extends NodeRecordFields {
  signature: Uint8Array;
  /** The bytes the signature covers: a view of the input, for verification. */
  signed: Uint8Array;
}

export function rolesMask(roles: readonly Role[]): number {
  return roles.reduce((m, r) => {
    const bit = ROLE_BITS[r];
    if (bit === undefined) throw new CodecError("ENCODE_INVALID", `node record: unknown role ${String(r)}`);
    return m | bit;
  }, 0);
}

export const rolesOf = (mask: number): Role[] =>
  (Object.keys(ROLE_BITS) as Role[]).filter((role) => (mask & ROLE_BITS[role]) !== 0);

/** The record's bytes, signed by `sign` over everything before the signature. */
export function encodeNodeRecord(f: NodeRecordFields, sign: SignFn): Uint8Array {
  const w = new ByteWriter("node record")
    .u8(RECORD_VERSION)
    .bytes(f.publicKey, PUBLIC_KEY_BYTES)
    .u64(f.seq)
    .u8(rolesMask(f.roles));
  writeEndpoint(w, f.udp);
  return appendSignature(w.u16(f.wsPort).finish(), sign, "node record");
}

/** Parses a record; the caller verifies `signature` over `signed` with `publicKey` before using it. */
export function decodeNodeRecord(bytes: Uint8Array): DecodedNodeRecord {
  assertBytes(bytes, "node record");
  if (bytes.length > MAX_RECORD_BYTES) {
    throw new CodecError("DECODE_OVERSIZE", `node record: ${bytes.length} bytes exceeds ${MAX_RECORD_BYTES}`);
  }
  const r = new ByteReader(bytes, "node record");
  const version = r.u8();
  if (version !== RECORD_VERSION)
    throw new CodecError("DECODE_UNSUPPORTED", `node record: version ${version}`);
  const publicKey = r.bytes(PUBLIC_KEY_BYTES).slice();
  const seq = r.u64();
  const roles = rolesOf(r.u8());
  const udp = readEndpoint(r);
  const wsPort = r.u16();
  const signedLen = r.offset;
  const signature = r.bytes(SIGNATURE_BYTES).slice();
  r.end();
  return { publicKey, seq, roles, udp, wsPort, signature, signed: bytes.subarray(0, signedLen) };
}
