import { StarkError } from "./errors.js";
import type { Ext } from "./ext.js";
import { P } from "./field.js";
import type { FriLayerOpening } from "./fri.js";
import { PROOF_VERSION, type StarkProof } from "./proof.js";
import { SALT_WORDS } from "./zk.js";

/**
 * Deterministic, versioned binary encoding of a StarkProof. All integers little-endian.
 *
 *   "STRK" | u8 version | u8 len, air id (UTF-8) | u8 log2(trace length)
 *   u8 blowupLog | u16 queries | u8 grindingBits | u8 foldLog | u8 maxRemainderLog | u8 zk (0|1)
 *   u16 count, u32 public inputs
 *   8×u32 trace root | 8×u32 composition root
 *   u16 w, w ext T(z), w ext T(gz) | u8 c, c ext H_k(z)          (ext = 4×u32)
 *   u8 L, L×8×u32 FRI roots | u16 r, r ext remainder | u32 pow nonce
 *   u32-counted word arrays: trace rows, trace salts, trace siblings, composition rows,
 *   composition salts, composition siblings, then per FRI layer: values, siblings
 *   (salts are empty without ZK; they and Merkle nodes are raw words, everything else < p)
 *
 * Every count is checked against the bytes that remain before anything is allocated, field
 * elements must be canonical (< p), and trailing bytes are an error: one proof has one encoding.
 */
export const PROOF_MAGIC = 0x4b525453; // "STRK" read as little-endian u32
export const MAX_PROOF_BYTES = 4 * 1024 * 1024;
const MAX_AIR_ID = 64;

class Writer {
  private buf = new Uint8Array(1024);
  private dv = new DataView(this.buf.buffer);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf);
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.dv.setUint8(this.len, v);
    this.len += 1;
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.len, v, true);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  words(ws: ArrayLike<number>): void {
    for (let i = 0; i < ws.length; i++) this.u32(ws[i]!);
  }
  ext(e: Ext): void {
    this.words(e);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function encodeProof(p: StarkProof): Uint8Array {
  const w = new Writer();
  w.u32(PROOF_MAGIC);
  w.u8(p.version);
  const id = new TextEncoder().encode(p.airId);
  if (id.length > MAX_AIR_ID) throw new StarkError("PROOF_MALFORMED", "air id too long");
  w.u8(id.length);
  for (const b of id) w.u8(b);
  w.u8(p.logTraceLength);
  w.u8(p.params.blowupLog);
  w.u16(p.params.queries);
  w.u8(p.params.grindingBits);
  w.u8(p.params.foldLog);
  w.u8(p.params.maxRemainderLog);
  w.u8(p.params.zk ? 1 : 0);
  w.u16(p.publicInputs.length);
  w.words(p.publicInputs);
  w.words(p.traceRoot);
  w.words(p.compositionRoot);
  w.u16(p.oodTrace.length);
  for (const e of p.oodTrace) w.ext(e);
  for (const e of p.oodTraceNext) w.ext(e);
  w.u8(p.oodComposition.length);
  for (const e of p.oodComposition) w.ext(e);
  w.u8(p.friRoots.length);
  for (const r of p.friRoots) w.words(r);
  w.u16(p.friRemainder.length);
  for (const e of p.friRemainder) w.ext(e);
  w.u32(p.powNonce);
  for (const arr of [
    p.traceRows,
    p.traceSalts,
    p.traceProof,
    p.compositionRows,
    p.compositionSalts,
    p.compositionProof,
  ]) {
    w.u32(arr.length);
    w.words(arr);
  }
  for (const l of p.friLayers) {
    w.u32(l.values.length);
    w.words(l.values);
    w.u32(l.proof.length);
    w.words(l.proof);
  }
  return w.bytes();
}

class Reader {
  private off = 0;
  private readonly dv: DataView;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.off + n > this.b.length)
      throw new StarkError("PROOF_MALFORMED", `proof truncated reading ${what}`, { offset: this.off });
  }
  u8(what: string): number {
    this.need(1, what);
    return this.dv.getUint8(this.off++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.dv.getUint16(this.off, true);
    this.off += 2;
    return v;
  }
  flag(what: string): boolean {
    const v = this.u8(what);
    if (v > 1) throw new StarkError("PROOF_MALFORMED", `${what} must be 0 or 1`);
    return v === 1;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  words(count: number, what: string, field: boolean): Uint32Array {
    this.need(count * 4, what);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const v = this.dv.getUint32(this.off, true);
      if (field && v >= P) throw new StarkError("PROOF_MALFORMED", `${what}: non-canonical field element`);
      out[i] = v;
      this.off += 4;
    }
    return out;
  }
  ext(what: string): Ext {
    const w = this.words(4, what, true);
    return [w[0]!, w[1]!, w[2]!, w[3]!];
  }
  counted(what: string, field: boolean, multipleOf = 1): Uint32Array {
    const n = this.u32(`${what} length`);
    if (n % multipleOf !== 0)
      throw new StarkError("PROOF_MALFORMED", `${what}: length ${n} not a multiple of ${multipleOf}`);
    return this.words(n, what, field);
  }
  done(): void {
    if (this.off !== this.b.length)
      throw new StarkError("PROOF_MALFORMED", `${this.b.length - this.off} trailing bytes after the proof`);
  }
  utf8(n: number, what: string): string {
    this.need(n, what);
    const s = new TextDecoder("utf-8", { fatal: true }).decode(this.b.subarray(this.off, this.off + n));
    this.off += n;
    return s;
  }
}

export function decodeProof(bytes: Uint8Array): StarkProof {
  if (!(bytes instanceof Uint8Array)) throw new StarkError("PROOF_MALFORMED", "proof must be bytes");
  if (bytes.length > MAX_PROOF_BYTES)
    throw new StarkError("PROOF_MALFORMED", `proof of ${bytes.length} bytes exceeds ${MAX_PROOF_BYTES}`);
  const r = new Reader(bytes);
  if (r.u32("magic") !== PROOF_MAGIC)
    throw new StarkError("PROOF_MALFORMED", "not a STARK proof (bad magic)");
  const version = r.u8("version");
  if (version !== PROOF_VERSION)
    throw new StarkError("PROOF_MALFORMED", `unsupported proof version ${version}`);
  const idLen = r.u8("air id length");
  if (idLen === 0 || idLen > MAX_AIR_ID) throw new StarkError("PROOF_MALFORMED", "bad air id length");
  let airId: string;
  try {
    airId = r.utf8(idLen, "air id");
  } catch (e) {
    if (e instanceof StarkError) throw e;
    throw new StarkError("PROOF_MALFORMED", "air id is not UTF-8");
  }
  const logTraceLength = r.u8("trace length");
  if (logTraceLength < 3 || logTraceLength > 22)
    throw new StarkError("PROOF_MALFORMED", "trace length out of range");
  const params = {
    blowupLog: r.u8("blowup"),
    queries: r.u16("queries"),
    grindingBits: r.u8("grinding"),
    foldLog: r.u8("fold"),
    maxRemainderLog: r.u8("remainder"),
    zk: r.flag("zk"),
  };
  const publicInputs = Array.from(r.words(r.u16("public inputs"), "public inputs", true));
  const traceRoot = r.words(8, "trace root", false);
  const compositionRoot = r.words(8, "composition root", false);
  const w = r.u16("width");
  const oodTrace = Array.from({ length: w }, () => r.ext("T(z)"));
  const oodTraceNext = Array.from({ length: w }, () => r.ext("T(gz)"));
  const oodComposition = Array.from({ length: r.u8("chunks") }, () => r.ext("H(z)"));
  const layers = r.u8("FRI layers");
  const friRoots = Array.from({ length: layers }, () => r.words(8, "FRI root", false));
  const friRemainder = Array.from({ length: r.u16("remainder") }, () => r.ext("remainder"));
  const powNonce = r.u32("nonce");
  const traceRows = r.counted("trace rows", true);
  const traceSalts = r.counted("trace salts", false, SALT_WORDS);
  const traceProof = r.counted("trace siblings", false, 8);
  const compositionRows = r.counted("composition rows", true, 4);
  const compositionSalts = r.counted("composition salts", false, SALT_WORDS);
  const compositionProof = r.counted("composition siblings", false, 8);
  const friLayers: FriLayerOpening[] = [];
  for (let l = 0; l < layers; l++)
    friLayers.push({ values: r.counted("FRI values", true, 4), proof: r.counted("FRI siblings", false, 8) });
  r.done();
  return {
    version,
    airId,
    logTraceLength,
    params,
    publicInputs,
    traceRoot,
    compositionRoot,
    oodTrace,
    oodTraceNext,
    oodComposition,
    friRoots,
    friRemainder,
    powNonce,
    traceRows,
    traceSalts,
    traceProof,
    compositionRows,
    compositionSalts,
    compositionProof,
    friLayers,
  };
}
