import { CodecError } from "./errors.js";

/*
 * Checks at the border: every public entry point asserts the type and length of the bytes
 * it is handed, with a message that names what was expected.
 */

export function assertBytes(value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected a Uint8Array, got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected ${length} bytes, got ${value.length}`);
  }
}

/** The value of each lowercase hex digit by its char code; -1 for every other code below 128. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) NIBBLE["0123456789abcdef".charCodeAt(d)] = d;

/** Up to this many bytes, hex is made from a copy (see toHex). */
const SHORT_HEX_BYTES = 64;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  assertBytes(bytes, "toHex input");
  // V8 keeps a small typed array's bytes inside its object (no ArrayBuffer): reading `.buffer`,
  // as a Buffer view needs, moves them out into a new ArrayBuffer, which the collector then
  // tracks. A copy into Buffer's shared pool does not: ~0.3 µs against ~1.2 µs for a fresh
  // 32-byte array (node 20). Ids and addresses are hexed for every admitted tx. (A string built
  // from a table of pairs was faster alone, but its rope of 32 pieces cost more once hashed as a
  // map key: bench:admission-cpu went from ~29 to ~35 µs per tx.)
  if (bytes.length <= SHORT_HEX_BYTES) return Buffer.from(bytes).toString("hex");
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/**
 * Bytes of lowercase hex `hex`; with `length`, exactly that many bytes. Uppercase is refused
 * so that one value has one spelling (it is hashed into ids in some places).
 */
export function fromHex(hex: string, what: string, length?: number): Uint8Array {
  if (typeof hex !== "string" || hex.length % 2 !== 0) throw notHex(what);
  // Decoded and checked in one pass into the array returned: a regex over the string, then
  // Buffer.from and a copy out of Buffer's pool took ~3× as long and made two arrays of garbage
  // per call (every hex field of every JSON tx and block comes through here).
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    const a = hex.charCodeAt(j);
    const b = hex.charCodeAt(j + 1);
    const hi = a < 128 ? NIBBLE[a]! : -1;
    const lo = b < 128 ? NIBBLE[b]! : -1;
    if ((hi | lo) < 0) throw notHex(what);
    out[i] = (hi << 4) | lo;
  }
  if (length !== undefined && out.length !== length) {
    throw new CodecError("DECODE_SCHEMA", `${what}: expected ${length} bytes, got ${out.length}`);
  }
  return out;
}

function notHex(what: string): CodecError {
  return new CodecError("DECODE_SCHEMA", `${what}: expected lowercase hex with an even length`);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytewise order of two byte strings (a shorter prefix first): negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
