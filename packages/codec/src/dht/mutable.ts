import { ByteReader, ByteWriter } from "../binary.js";
import { assertBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import { appendSignature, type SignFn } from "./datagram.js";
import { MAX_NAME_BYTES, MAX_VALUE_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "./limits.js";

/*
 * Mutable value: a record a publisher signs and may replace with a higher seq.
 *
 *   version u8 = 2 | publisher key 32 | name length u8 | name (UTF-8, 1..64 bytes) | seq u64 | data
 *   | signature 64 by the publisher over everything before it, in the DHT mutable-value domain
 *
 * It is stored under a key derived from publisher and name (crypto's dhtMutableKey).
 */

export const MUTABLE_VERSION = 2;
/** version, publisher key, name length, seq, signature: the bytes around name and data. */
export const MUTABLE_OVERHEAD_BYTES = 1 + PUBLIC_KEY_BYTES + 1 + 8 + SIGNATURE_BYTES;

export interface MutableFields {
  publisher: Uint8Array;
  name: string;
  seq: number;
  data: Uint8Array;
}

export interface DecodedMutable extends MutableFields {
  signature: Uint8Array;
  /** The bytes the signature covers: a view of the input, for verification. */
  signed: Uint8Array;
}

const utf8 = new TextEncoder();

/** The name as it goes on the wire; ENCODE_INVALID unless it is 1..64 bytes of UTF-8. */
export function mutableNameBytes(name: string): Uint8Array {
  const bytes = utf8.encode(String(name));
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES) {
    throw new CodecError("ENCODE_INVALID", `record name must be 1-${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  return bytes;
}

/** Most data bytes a record of this name can carry within the value limit. */
export const maxMutableDataBytes = (name: string): number =>
  MAX_VALUE_BYTES - MUTABLE_OVERHEAD_BYTES - mutableNameBytes(name).length;

export function encodeMutable(f: MutableFields, sign: SignFn): Uint8Array {
  const name = mutableNameBytes(f.name);
  assertBytes(f.data, "record data");
  if (f.data.length > maxMutableDataBytes(f.name)) {
    throw new CodecError("ENCODE_INVALID", `record data exceeds ${maxMutableDataBytes(f.name)} bytes`);
  }
  const unsigned = new ByteWriter("mutable record")
    .u8(MUTABLE_VERSION)
    .bytes(f.publisher, PUBLIC_KEY_BYTES)
    .u8(name.length)
    .bytes(name)
    .u64(f.seq)
    .bytes(f.data)
    .finish();
  return appendSignature(unsigned, sign, "mutable record");
}

/** Parses a record; the caller verifies `signature` over `signed` with `publisher` before using it. */
export function decodeMutable(bytes: Uint8Array): DecodedMutable {
  assertBytes(bytes, "mutable record");
  if (bytes.length > MAX_VALUE_BYTES) {
    throw new CodecError(
      "DECODE_OVERSIZE",
      `mutable record: ${bytes.length} bytes exceeds ${MAX_VALUE_BYTES}`,
    );
  }
  const r = new ByteReader(bytes, "mutable record");
  const version = r.u8();
  if (version !== MUTABLE_VERSION)
    throw new CodecError("DECODE_UNSUPPORTED", `mutable record: version ${version}`);
  const publisher = r.bytes(PUBLIC_KEY_BYTES).slice();
  const nameLength = r.u8();
  if (nameLength === 0 || nameLength > MAX_NAME_BYTES)
    throw new CodecError("DECODE_SCHEMA", `mutable record: name of ${nameLength} bytes`);
  const name = r.utf8(nameLength, "name");
  const seq = r.u64();
  if (r.remaining < SIGNATURE_BYTES)
    throw new CodecError("DECODE_TRUNCATED", "mutable record: no room for the signature");
  const data = r.bytes(r.remaining - SIGNATURE_BYTES).slice();
  const signedLen = r.offset;
  const signature = r.bytes(SIGNATURE_BYTES).slice();
  return { publisher, name, seq, data, signature, signed: bytes.subarray(0, signedLen) };
}
