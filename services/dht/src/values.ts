import { DHT_MAX_VALUE_BYTES } from "@p2pnode/types";
import { ByteReader, ByteWriter, equalBytes } from "./bytes.js";
import { DhtError, WireError } from "./errors.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type Signer, type Verifier } from "./keys.js";
import { ValueKind } from "./messages.js";
import { sha256 } from "./node-id.js";

/*
 * The two kinds of stored value:
 *  - content: any bytes, key = SHA-256(bytes); a holder cannot change it without the key changing.
 *  - mutable: a signed record, key = SHA-256("p2pnode/dht/v1/mutable-key" ‖ 0 ‖ publisher key ‖ name):
 *      version u8 = 1 | publisher key 32 | name length u8 | name (UTF-8, ≤ 64) | seq u64 | data
 *      | signature 64 over DOMAIN.mutable ‖ network id ‖ everything before it
 *    A holder keeps the highest seq it has seen; a reader takes the highest valid seq it finds.
 */

export const MAX_VALUE_BYTES = DHT_MAX_VALUE_BYTES;
export const MAX_NAME_BYTES = 64;
const MUTABLE_VERSION = 1;
const KEY_TAG = new TextEncoder().encode("p2pnode/dht/v1/mutable-key\0");

export interface MutableRecord {
  publisher: Uint8Array;
  name: string;
  seq: number;
  data: Uint8Array;
  bytes: Uint8Array;
}

export const contentKey = (value: Uint8Array): Uint8Array => sha256(value);

export function mutableKey(publisher: Uint8Array, name: string): Uint8Array {
  return sha256(KEY_TAG, publisher, new TextEncoder().encode(name));
}

export function signMutable(name: string, seq: number, data: Uint8Array, signer: Signer): MutableRecord {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length === 0 || nameBytes.length > MAX_NAME_BYTES) {
    throw new DhtError("INVALID_VALUE", `record name must be 1-${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  const unsigned = new ByteWriter()
    .u8(MUTABLE_VERSION)
    .bytes(signer.publicKey)
    .u8(nameBytes.length)
    .bytes(nameBytes)
    .u64(seq)
    .bytes(data)
    .finish();
  if (unsigned.length + SIGNATURE_BYTES > MAX_VALUE_BYTES) {
    throw new DhtError(
      "VALUE_TOO_LARGE",
      `record data exceeds ${MAX_VALUE_BYTES - unsigned.length + data.length - SIGNATURE_BYTES} bytes`,
    );
  }
  const bytes = new Uint8Array(unsigned.length + SIGNATURE_BYTES);
  bytes.set(unsigned);
  bytes.set(signer.sign("mutable", unsigned), unsigned.length);
  return { publisher: signer.publicKey, name, seq, data, bytes };
}

export function decodeMutable(bytes: Uint8Array, verifier: Verifier): MutableRecord {
  const r = new ByteReader(bytes, "mutable record");
  if (r.u8() !== MUTABLE_VERSION) throw new WireError("malformed_body", "mutable record version");
  const publisher = r.bytes(PUBLIC_KEY_BYTES).slice();
  const nameBytes = r.bytes(r.u8());
  const seq = r.u64();
  if (r.remaining < SIGNATURE_BYTES)
    throw new WireError("malformed_body", "mutable record without signature");
  const data = r.bytes(r.remaining - SIGNATURE_BYTES).slice();
  const signedLen = r.offset;
  const signature = r.bytes(SIGNATURE_BYTES);
  if (!verifier.verify("mutable", publisher, bytes.subarray(0, signedLen), signature)) {
    throw new WireError("bad_signature", "mutable record signature does not verify");
  }
  const name = new TextDecoder("utf-8", { fatal: true }).decode(nameBytes);
  return { publisher, name, seq, data, bytes };
}

/** Why a value is refused, or null when it is what `key` promises. */
export function checkValue(
  kind: ValueKind,
  key: Uint8Array,
  bytes: Uint8Array,
  verifier: Verifier,
): string | null {
  if (bytes.length > MAX_VALUE_BYTES) return `value exceeds ${MAX_VALUE_BYTES} bytes`;
  if (kind === ValueKind.Content)
    return equalBytes(contentKey(bytes), key) ? null : "content hash does not match key";
  try {
    const rec = decodeMutable(bytes, verifier);
    return equalBytes(mutableKey(rec.publisher, rec.name), key)
      ? null
      : "record key does not match publisher and name";
  } catch (err) {
    return (err as Error).message;
  }
}

/** Sequence number of a stored value: the record's seq for mutable ones, 0 for content. */
export function seqOf(kind: ValueKind, bytes: Uint8Array, verifier: Verifier): number {
  return kind === ValueKind.Mutable ? decodeMutable(bytes, verifier).seq : 0;
}
