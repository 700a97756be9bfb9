import { mul, P } from "../field.js";
import type { RescueParams } from "./params.js";

/**
 * An allocation-free Rescue-Prime permutation for native hashing (note commitments, Merkle
 * trees), equal to rescuePermutation (tested). The state is a Float64Array of field elements;
 * MDS rows are summed unreduced (m products < p stay below 2^53) and reduced once.
 * The inverse S-box x^(1/α) is a fixed square-and-multiply chain over α⁻¹'s bits.
 */
export class FastRescue {
  readonly m: number;
  private readonly rounds: number;
  private readonly mds: Float64Array;
  private readonly constants: Float64Array;
  private readonly invBits: Uint8Array;
  private readonly tmp: Float64Array;

  constructor(rp: RescueParams) {
    this.m = rp.m;
    this.rounds = rp.rounds;
    this.mds = Float64Array.from(rp.mds.flat());
    this.constants = Float64Array.from(rp.constants);
    if (rp.alpha !== 3) throw new Error("FastRescue expects α = 3");
    this.invBits = Uint8Array.from(rp.alphaInv.toString(2), (c) => (c === "1" ? 1 : 0));
    this.tmp = new Float64Array(rp.m);
  }

  /** Permutes `s` (m field elements) in place. */
  permute(s: Float64Array): void {
    const { m, tmp } = this;
    for (let r = 0; r < this.rounds; r++) {
      for (let j = 0; j < m; j++) {
        const x = s[j]!;
        tmp[j] = mul(mul(x, x), x);
      }
      this.mdsInto(tmp, s, 2 * r * m);
      for (let j = 0; j < m; j++) tmp[j] = this.invSbox(s[j]!);
      this.mdsInto(tmp, s, 2 * r * m + m);
    }
  }

  private mdsInto(v: Float64Array, out: Float64Array, constOffset: number): void {
    const m = this.m;
    const mds = this.mds;
    for (let j = 0; j < m; j++) {
      let acc = this.constants[constOffset + j]!;
      const row = j * m;
      for (let k = 0; k < m; k++) acc += mul(mds[row + k]!, v[k]!);
      out[j] = acc % P;
    }
  }

  private invSbox(x: number): number {
    const bits = this.invBits;
    let r = x; // leading bit is 1
    for (let i = 1; i < bits.length; i++) {
      r = mul(r, r);
      if (bits[i] === 1) r = mul(r, x);
    }
    return r;
  }
}
