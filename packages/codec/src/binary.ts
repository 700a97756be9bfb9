import { assertBytes } from "./bytes.js";
import { CodecError } from "./errors.js";
import { assertSafeUint } from "./ints.js";

/*
 * Big-endian fixed-width fields, for the binary formats (DHT datagrams and records, file
 * manifests). The writer refuses values that do not fit their field instead of wrapping them;
 * the reader checks the bytes are there before every read.
 */

function checkWidth(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected an integer from 0 to ${max}, got ${v}`);
  }
}

/** Appends big-endian fields to a growing buffer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  constructor(private readonly what = "value") {}

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    checkWidth(v, 0xff, this.what);
    this.reserve(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
    return this;
  }

  u16(v: number): this {
    checkWidth(v, 0xffff, this.what);
    this.reserve(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    checkWidth(v, 0xffff_ffff, this.what);
    this.reserve(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
    return this;
  }

  /** A safe integer (below 2^53) as an unsigned 64-bit field. */
  u64(v: number): this {
    assertSafeUint(v, this.what);
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt(v));
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array, length?: number): this {
    assertBytes(b, this.what, length);
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  get length(): number {
    return this.len;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Reads big-endian fields: a read past the end is DECODE_TRUNCATED, bytes left over at end()
 * are DECODE_TRAILING (every binary encoding here has exactly one byte form).
 */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what = "value",
  ) {
    assertBytes(buf, what);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CodecError(
        "DECODE_TRUNCATED",
        `${this.what}: needs ${n} more bytes at offset ${this.pos}, has ${this.buf.length - this.pos}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit field that must stay below 2^53 (sequence numbers, sizes). */
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CodecError("DECODE_SCHEMA", `${this.what}: 64-bit field exceeds 2^53 - 1`);
    }
    return Number(v);
  }

  /** The next `n` bytes as a view of the input (copy it to keep it). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next `n` bytes as UTF-8 text; invalid UTF-8 is DECODE_SCHEMA. */
  utf8(n: number, field: string): string {
    const raw = this.bytes(n);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      throw new CodecError("DECODE_SCHEMA", `${this.what}: ${field} is not UTF-8`);
    }
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  end(): void {
    if (this.pos !== this.buf.length) {
      throw new CodecError("DECODE_TRAILING", `${this.what}: ${this.remaining} bytes after the end`);
    }
  }
}
