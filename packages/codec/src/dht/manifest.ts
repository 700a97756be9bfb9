import { ByteReader, ByteWriter } from "../binary.js";
import { CodecError } from "../errors.js";
import { ID_BYTES, MAX_FILE_NAME_BYTES, MAX_VALUE_BYTES } from "./limits.js";

/*
 * File manifest: the list of a file's chunks, itself a content-addressed value whose key (its
 * SHA-256) is the file id. Each chunk is a content-addressed value too.
 *
 *   magic "P2FM" | version u8 = 1 | size u64 | chunk size u32 | name length u8 | name (UTF-8)
 *   | chunk count u32 | SHA-256 of each chunk, 32 bytes each
 *
 * A manifest fits one value (64 KiB), so a file has at most ~2,040 chunks.
 */

export const MANIFEST_MAGIC = Uint8Array.of(0x50, 0x32, 0x46, 0x4d);
export const MANIFEST_VERSION = 1;
const MANIFEST_HEADER_BYTES = 4 + 1 + 8 + 4 + 1 + 4;

export interface Manifest {
  size: number;
  chunkSize: number;
  name: string;
  chunks: Uint8Array[];
}

/** Largest file a manifest of this chunk size can describe (any name fits). */
export function maxFileBytes(chunkSize: number): number {
  return Math.floor((MAX_VALUE_BYTES - MANIFEST_HEADER_BYTES - MAX_FILE_NAME_BYTES) / ID_BYTES) * chunkSize;
}

const chunkCount = (size: number, chunkSize: number) => Math.ceil(size / chunkSize);

/** The name's UTF-8 bytes, cut to 64 bytes at a character boundary. */
function nameBytes(name: string): Uint8Array {
  const all = new TextEncoder().encode(String(name));
  let end = Math.min(all.length, MAX_FILE_NAME_BYTES);
  while (end < all.length && (all[end]! & 0xc0) === 0x80) end--; // never split a character
  return all.subarray(0, end);
}

export function encodeManifest(m: Manifest): Uint8Array {
  if (
    m.chunkSize <= 0 ||
    m.chunkSize > MAX_VALUE_BYTES ||
    m.chunks.length !== chunkCount(m.size, m.chunkSize)
  ) {
    throw new CodecError("ENCODE_INVALID", "manifest: size, chunk size and chunk count disagree");
  }
  const name = nameBytes(m.name);
  const w = new ByteWriter("manifest")
    .bytes(MANIFEST_MAGIC)
    .u8(MANIFEST_VERSION)
    .u64(m.size)
    .u32(m.chunkSize)
    .u8(name.length)
    .bytes(name)
    .u32(m.chunks.length);
  for (const c of m.chunks) w.bytes(c, ID_BYTES);
  const out = w.finish();
  if (out.length > MAX_VALUE_BYTES)
    throw new CodecError("ENCODE_INVALID", `manifest: ${out.length} bytes exceeds ${MAX_VALUE_BYTES}`);
  return out;
}

export function decodeManifest(bytes: Uint8Array): Manifest {
  const r = new ByteReader(bytes, "manifest");
  if (bytes.length > MAX_VALUE_BYTES)
    throw new CodecError("DECODE_OVERSIZE", `manifest: ${bytes.length} bytes exceeds ${MAX_VALUE_BYTES}`);
  const magic = r.bytes(4);
  if (magic.some((b, i) => b !== MANIFEST_MAGIC[i]))
    throw new CodecError("DECODE_MALFORMED", "manifest: not a file manifest");
  const version = r.u8();
  if (version !== MANIFEST_VERSION)
    throw new CodecError("DECODE_UNSUPPORTED", `manifest: version ${version}`);
  const size = r.u64();
  const chunkSize = r.u32();
  const nameLength = r.u8();
  if (nameLength > MAX_FILE_NAME_BYTES)
    throw new CodecError("DECODE_SCHEMA", `manifest: name of ${nameLength} bytes`);
  const name = r.utf8(nameLength, "name");
  const count = r.u32();
  if (chunkSize === 0 || chunkSize > MAX_VALUE_BYTES || count !== chunkCount(size, chunkSize)) {
    throw new CodecError("DECODE_SCHEMA", "manifest: size, chunk size and chunk count disagree");
  }
  if (count * ID_BYTES !== r.remaining)
    throw new CodecError(
      r.remaining < count * ID_BYTES ? "DECODE_TRUNCATED" : "DECODE_TRAILING",
      "manifest: chunk list",
    );
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) chunks.push(r.bytes(ID_BYTES).slice());
  return { size, chunkSize, name, chunks };
}
