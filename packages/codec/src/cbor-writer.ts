/*
 * A minimal deterministic CBOR writer for fixed schemas (transactions), ~10x faster than the
 * generic encoder because it knows the key order up front. It emits exactly what
 * encodeCanonical would: shortest-form heads, definite lengths; the caller writes map keys
 * in canonical order (shorter first, then bytewise). A test checks the two agree.
 */

import { putHead } from "./cbor-head.js";

const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_MAP = 5;

export class CborWriter {
  private buf: Uint8Array;
  private length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** A head: major type and argument in the shortest form (cbor-head.ts). */
  head(major: number, arg: number | bigint): this {
    this.reserve(9);
    this.length = putHead(this.buf, this.length, major, arg);
    return this;
  }

  uint(n: number | bigint): this {
    return this.head(MAJOR_UINT, n);
  }

  map(entries: number): this {
    return this.head(MAJOR_MAP, entries);
  }

  bytes(b: Uint8Array): this {
    this.head(MAJOR_BYTES, b.length);
    this.raw(b);
    return this;
  }

  /** ASCII text only: our keys and kinds. */
  text(s: string): this {
    this.head(MAJOR_TEXT, s.length);
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i);
    return this;
  }

  raw(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
