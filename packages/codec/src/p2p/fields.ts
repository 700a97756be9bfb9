import { CodecError } from "../errors.js";
import { type CborMap, readBytes, readSafeUint, readText } from "../fields.js";
import { INV_ENTRY_BYTES, MAX_INV_ITEMS } from "./limits.js";
import type { InvItem, InvKind } from "./types.js";

/* Readers the P2P messages add to codec's field readers: bounded lists, bounded text, inventory. */

export function readList(map: CborMap, key: string, what: string, maxCount: number): unknown[] {
  const v = map[key];
  if (!Array.isArray(v)) throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected an array`);
  if (v.length > maxCount) {
    throw new CodecError("DECODE_OVERSIZE", `${what}.${key}: ${v.length} entries exceeds ${maxCount}`);
  }
  return v;
}

/** A list of byte strings, each exactly `length` bytes or at most `maxLength`. */
export function readBytesList(
  map: CborMap,
  key: string,
  what: string,
  maxCount: number,
  size: { length: number } | { maxLength: number },
): Uint8Array[] {
  const list = readList(map, key, what, maxCount);
  return list.map((v, i) => {
    const holder = { x: v } as CborMap;
    return "length" in size
      ? readBytes(holder, "x", `${what}.${key}[${i}]`, size.length)
      : readBytes(holder, "x", `${what}.${key}[${i}]`, undefined, size.maxLength);
  });
}

export function readBoundedText(map: CborMap, key: string, what: string, maxChars: number): string {
  const s = readText(map, key, what);
  if (s.length > maxChars) throw new CodecError("DECODE_OVERSIZE", `${what}.${key}: longer than ${maxChars}`);
  return s;
}

export function readBool(map: CborMap, key: string, what: string): boolean {
  const v = map[key];
  if (typeof v !== "boolean") throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected a boolean`);
  return v;
}

export function readUint(map: CborMap, key: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = readSafeUint(map, key, what);
  if (n > max) throw new CodecError("DECODE_SCHEMA", `${what}.${key}: ${n} exceeds ${max}`);
  return n;
}

const KIND_CODE: Record<InvKind, number> = { tx: 1, block: 2 };

export function readKind(map: CborMap, key: string, what: string): InvKind {
  const v = map[key];
  if (v === KIND_CODE.tx) return "tx";
  if (v === KIND_CODE.block) return "block";
  throw new CodecError("DECODE_SCHEMA", `${what}.${key}: expected 1 (tx) or 2 (block)`);
}

export function kindCode(kind: InvKind): number {
  const c = KIND_CODE[kind];
  if (c === undefined) throw new CodecError("ENCODE_INVALID", `inventory kind ${String(kind)} is unknown`);
  return c;
}

/** Inventory travels as one byte string of 33-byte entries (kind ‖ hash): compact and one allocation. */
export function encodeInv(items: InvItem[], what: string): Uint8Array {
  if (!Array.isArray(items) || items.length > MAX_INV_ITEMS) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected at most ${MAX_INV_ITEMS} items`);
  }
  const out = new Uint8Array(items.length * INV_ENTRY_BYTES);
  items.forEach((it, i) => {
    if (!(it.hash instanceof Uint8Array) || it.hash.length !== 32) {
      throw new CodecError("ENCODE_INVALID", `${what}[${i}].hash: expected 32 bytes`);
    }
    out[i * INV_ENTRY_BYTES] = kindCode(it.kind);
    out.set(it.hash, i * INV_ENTRY_BYTES + 1);
  });
  return out;
}

export function decodeInv(map: CborMap, key: string, what: string): InvItem[] {
  const raw = readBytes(map, key, what, undefined, MAX_INV_ITEMS * INV_ENTRY_BYTES);
  if (raw.length % INV_ENTRY_BYTES !== 0) {
    throw new CodecError("DECODE_SCHEMA", `${what}.${key}: length is not a multiple of ${INV_ENTRY_BYTES}`);
  }
  const items: InvItem[] = [];
  for (let o = 0; o < raw.length; o += INV_ENTRY_BYTES) {
    const kind = readKind({ k: raw[o]! }, "k", `${what}.${key}[${o / INV_ENTRY_BYTES}]`);
    items.push({ kind, hash: raw.subarray(o + 1, o + INV_ENTRY_BYTES) });
  }
  return items;
}

export function checkBytes(v: unknown, what: string, length?: number, maxLength?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CodecError("ENCODE_INVALID", `${what}: expected bytes`);
  if (length !== undefined && v.length !== length) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected ${length} bytes, got ${v.length}`);
  }
  if (maxLength !== undefined && v.length > maxLength) {
    throw new CodecError("ENCODE_INVALID", `${what}: ${v.length} bytes exceeds ${maxLength}`);
  }
  return v;
}

export function checkUint(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected an integer from 0 to ${max}`);
  }
  return v;
}

export function checkList<T>(v: T[], what: string, max: number): T[] {
  if (!Array.isArray(v) || v.length > max) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected a list of at most ${max}`);
  }
  return v;
}

export function checkText(v: unknown, what: string, max: number, pattern?: RegExp): string {
  if (typeof v !== "string" || v.length > max || (pattern && !pattern.test(v))) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected text of at most ${max} characters`);
  }
  return v;
}
