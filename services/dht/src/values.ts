import { CodecError, equalBytes } from "@p2pnode/codec";
import {
  decodeMutable,
  encodeMutable,
  MAX_NAME_BYTES,
  MAX_VALUE_BYTES,
  maxMutableDataBytes,
  ValueKind,
} from "@p2pnode/codec/dht";
import { dhtContentKey, dhtMutableKey } from "@p2pnode/crypto";
import { DhtError, WireError } from "./errors.js";
import type { Signer, Verifier } from "./signing.js";

/*
 * The two kinds of stored value:
 *  - content: any bytes, key = SHA-256(bytes); a holder cannot change it without the key changing.
 *  - mutable: a record signed by its publisher (codec's layout, the DHT mutable signing domain),
 *    key = crypto's dhtMutableKey(publisher, name). A holder keeps the highest seq it has seen;
 *    a reader takes the highest valid seq it finds.
 */

export interface MutableRecord {
  publisher: Uint8Array;
  name: string;
  seq: number;
  data: Uint8Array;
  bytes: Uint8Array;
}

export function signMutable(name: string, seq: number, data: Uint8Array, signer: Signer): MutableRecord {
  const nameBytes = new TextEncoder().encode(name).length;
  if (nameBytes === 0 || nameBytes > MAX_NAME_BYTES) {
    throw new DhtError("INVALID_VALUE", `record name must be 1-${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  if (data.length > maxMutableDataBytes(name)) {
    throw new DhtError("VALUE_TOO_LARGE", `record data exceeds ${maxMutableDataBytes(name)} bytes`);
  }
  const bytes = encodeMutable({ publisher: signer.publicKey, name, seq, data }, (m) =>
    signer.sign("mutable", m),
  );
  return { publisher: signer.publicKey, name, seq, data, bytes };
}

/** Parses and verifies a record; a bad signature is a WireError, bad bytes a CodecError. */
export function openMutable(bytes: Uint8Array, verifier: Verifier): MutableRecord {
  const { signed, signature, ...rec } = decodeMutable(bytes);
  if (!verifier.verify("mutable", rec.publisher, signed, signature)) {
    throw new WireError("bad_signature", "mutable record signature does not verify");
  }
  return { ...rec, bytes };
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
    return equalBytes(dhtContentKey(bytes), key) ? null : "content hash does not match key";
  try {
    const rec = openMutable(bytes, verifier);
    return equalBytes(dhtMutableKey(rec.publisher, rec.name), key)
      ? null
      : "record key does not match publisher and name";
  } catch (err) {
    if (err instanceof WireError || err instanceof CodecError) return err.message;
    throw err;
  }
}

/** Sequence number of a stored value: the record's seq for mutable ones, 0 for content. */
export function seqOf(kind: ValueKind, bytes: Uint8Array, verifier: Verifier): number {
  return kind === ValueKind.Mutable ? openMutable(bytes, verifier).seq : 0;
}
