import { CodecError } from "../errors.js";

/*
 * Fixed-layout readers and writers for the consensus messages: big-endian integers and byte
 * fields at known sizes. The reader refuses to read past the end (DECODE_TRUNCATED) and copies
 * every byte field out, so a decoded message never aliases the input buffer.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(size: number, field: string): number {
    if (this.remaining < size) {
      throw new CodecError("DECODE_TRUNCATED", `${this.what}: ends inside ${field}`);
    }
    const at = this.offset;
    this.offset += size;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }

  u16(field: string): number {
    return this.view.getUint16(this.need(2, field));
  }

  u32(field: string): number {
    return this.view.getUint32(this.need(4, field));
  }

  /** A u64 that must stay a safe JS integer (slots, like heights). */
  safeU64(field: string): number {
    const v = this.view.getBigUint64(this.need(8, field));
    if (v > MAX_SAFE) throw new CodecError("DECODE_SCHEMA", `${this.what}.${field}: above 2^53-1`);
    return Number(v);
  }

  bytesOf(size: number, field: string): Uint8Array {
    const at = this.need(size, field);
    return new Uint8Array(this.bytes.subarray(at, at + size));
  }

  /** Everything left. */
  rest(field: string): Uint8Array {
    return this.bytesOf(this.remaining, field);
  }

  end(): void {
    if (this.remaining !== 0) {
      throw new CodecError("DECODE_TRAILING", `${this.what}: ${this.remaining} bytes after the end`);
    }
  }
}

export class Writer {
  private offset = 0;
  readonly out: Uint8Array;
  private readonly view: DataView;

  /** `lead`: a byte written before the layout (a message's kind), in the same allocation. */
  constructor(size: number, lead?: number) {
    const extra = lead === undefined ? 0 : 1;
    this.out = new Uint8Array(size + extra);
    this.view = new DataView(this.out.buffer);
    if (lead !== undefined) this.u8(lead);
  }

  u8(v: number): this {
    this.view.setUint8(this.offset, v);
    this.offset += 1;
    return this;
  }

  u16(v: number): this {
    this.view.setUint16(this.offset, v);
    this.offset += 2;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.offset, v);
    this.offset += 4;
    return this;
  }

  /** A safe integer as u64 (two u32 halves: no BigInt on the hot path). */
  u64(v: number): this {
    this.view.setUint32(this.offset, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.offset + 4, v >>> 0);
    this.offset += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.out.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  done(): Uint8Array {
    if (this.offset !== this.out.length) {
      throw new CodecError("ENCODE_INVALID", `layout wrote ${this.offset} of ${this.out.length} bytes`);
    }
    return this.out;
  }
}

export function checkSlot(slot: unknown, what: string): number {
  if (typeof slot !== "number" || !Number.isSafeInteger(slot) || slot < 0) {
    throw new CodecError("ENCODE_INVALID", `${what}.slot: expected a non-negative safe integer`);
  }
  return slot;
}

export function checkIndex(index: unknown, what: string): number {
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 0xffff) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected a validator index (u16)`);
  }
  return index;
}

export function checkFixed(b: unknown, size: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== size) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected ${size} bytes`);
  }
  return b;
}
