import type { Ext } from "./ext.js";
import { P } from "./field.js";
import { hashWords } from "./sha256.js";

const SQUEEZE_TAG = 0x5351_5a45; // "SQZE"
const GRIND_TAG = 0x4752_4e44; // "GRND"

/**
 * Fiat–Shamir transcript over SHA-256. The state is one digest; absorbing sets
 * state = SHA-256(state ‖ tag ‖ length ‖ words), and challenges are squeezed from
 * SHA-256(state ‖ SQZE ‖ counter) without changing the state until the next absorb.
 * Prover and verifier must absorb exactly the same sequence; everything the verifier relies on
 * (parameters, public inputs, roots, out-of-domain values) goes in before the challenge it affects.
 */
export class Transcript {
  private state = new Uint32Array(8);
  private pool = new Uint32Array(8);
  private poolUsed = 8;
  private counter = 0;

  constructor(domain: string) {
    this.absorbBytes(0x444f4d4e, new TextEncoder().encode(domain));
  }

  absorb(tag: number, words: ArrayLike<number>): void {
    const buf = new Uint32Array(10 + words.length);
    buf.set(this.state, 0);
    buf[8] = tag >>> 0;
    buf[9] = words.length;
    for (let i = 0; i < words.length; i++) buf[10 + i] = words[i]! >>> 0;
    hashWords(buf, 0, buf.length, this.state, 0);
    this.poolUsed = 8;
    this.counter = 0;
  }

  absorbBytes(tag: number, bytes: Uint8Array): void {
    const words = new Uint32Array(Math.ceil(bytes.length / 4) + 1);
    words[0] = bytes.length;
    for (let i = 0; i < bytes.length; i++) words[1 + (i >> 2)]! |= bytes[i]! << (24 - 8 * (i & 3));
    this.absorb(tag, words);
  }

  absorbExt(tag: number, values: readonly Ext[]): void {
    const words: number[] = [];
    for (const v of values) words.push(v[0], v[1], v[2], v[3]);
    this.absorb(tag, words);
  }

  private nextWord(): number {
    if (this.poolUsed === 8) {
      const buf = new Uint32Array(10);
      buf.set(this.state, 0);
      buf[8] = SQUEEZE_TAG;
      buf[9] = this.counter++;
      hashWords(buf, 0, 10, this.pool, 0);
      this.poolUsed = 0;
    }
    return this.pool[this.poolUsed++]!;
  }

  /** A uniform base-field element (rejection sampling on 31 bits: ~0.8% of words are redrawn). */
  challengeBase(): number {
    for (;;) {
      const w = this.nextWord() & 0x7fffffff;
      if (w < P) return w;
    }
  }

  challengeExt(): Ext {
    return [this.challengeBase(), this.challengeBase(), this.challengeBase(), this.challengeBase()];
  }

  /** `count` uniform indices in [0, 2^logSize), sorted and deduplicated. */
  challengeIndices(count: number, logSize: number): number[] {
    const mask = 2 ** logSize - 1;
    const set = new Set<number>();
    for (let i = 0; i < count; i++) set.add((this.nextWord() & mask) >>> 0);
    return [...set].sort((a, b) => a - b);
  }

  /** Leading zero bits of SHA-256(state ‖ GRND ‖ nonce): the proof-of-work a prover must meet. */
  powBits(nonce: number): number {
    const buf = new Uint32Array(10);
    buf.set(this.state, 0);
    buf[8] = GRIND_TAG;
    buf[9] = nonce >>> 0;
    const out = new Uint32Array(8);
    hashWords(buf, 0, 10, out, 0);
    return Math.clz32(out[0]!) === 32 ? 32 + Math.clz32(out[1]!) : Math.clz32(out[0]!);
  }

  /** Finds the smallest nonce meeting `bits` of proof-of-work (2^bits hashes expected). */
  grind(bits: number): number {
    if (bits === 0) return 0;
    for (let nonce = 0; nonce <= 0xffffffff; nonce++) if (this.powBits(nonce) >= bits) return nonce;
    return 0;
  }
}
