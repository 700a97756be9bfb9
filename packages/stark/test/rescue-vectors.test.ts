import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BASE_OPS,
  FastRescue,
  RESCUE,
  RescueChainAir,
  rescue16Params,
  rescueChain,
  rescueChainTrace,
  rescueHash,
  rescuePermutation,
} from "../src/index.js";

/**
 * An independent Rescue-Prime written here with BigInt and node:crypto's SHAKE256, following the
 * reference rescue_prime.sage line by line (ePrint 2020/1143): parameters, MDS, constants and the
 * permutation are recomputed from scratch and compared with the package's number-based code.
 */
const p = 2n ** 31n - 2n ** 24n + 1n;
const securityLevel = 128;
const mod = (x: bigint) => ((x % p) + p) % p;
function modpow(b: bigint, e: bigint, n = p): bigint {
  let r = 1n;
  let x = mod(b);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % n;
    x = (x * x) % n;
  }
  return r;
}
const inv = (x: bigint) => modpow(x, p - 2n);
function binom(n: bigint, k: bigint): bigint {
  let r = 1n;
  for (let i = 1n; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
function egcdInv(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [n, a, 0n, 1n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % n) + n) % n;
}

/** Parameters and permutation of the instance (m, capacity), recomputed from the specification. */
function reference(m: number, capacity: number) {
  let alpha = 3n;
  while (
    ((a, b) => {
      while (b) [a, b] = [b, a % b];
      return a;
    })(alpha, p - 1n) !== 1n
  )
    alpha++;
  const alphaInv = egcdInv(alpha, p - 1n);

  let l1 = 1;
  for (; l1 < 25; l1++) {
    const v = BigInt(m * (l1 - 1) + (m - capacity));
    const dcon = BigInt(Math.floor(0.5 * Number(alpha - 1n) * m * (l1 - 1) + 2));
    if (binom(v + dcon, v) ** 2n > 2n ** BigInt(securityLevel)) break;
  }
  const rounds = Math.ceil(1.5 * Math.max(5, l1));

  let g = 2n;
  while (modpow(g, (p - 1n) / 2n) === 1n || modpow(g, (p - 1n) / 127n) === 1n) g++;
  // reduced echelon form of the m×2m Vandermonde matrix, by Gauss–Jordan on BigInt
  const V = Array.from({ length: m }, (_, i) =>
    Array.from({ length: 2 * m }, (_, j) => modpow(g, BigInt(i * j))),
  );
  for (let c = 0; c < m; c++) {
    const pr = V.findIndex((row, r) => r >= c && row[c] !== 0n);
    [V[c], V[pr]] = [V[pr]!, V[c]!];
    const ic = inv(V[c]![c]!);
    V[c] = V[c]!.map((x) => mod(x * ic));
    for (let r = 0; r < m; r++)
      if (r !== c) {
        const f = V[r]![c]!;
        V[r] = V[r]!.map((x, j) => mod(x - f * V[c]![j]!));
      }
  }
  const MDS = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => V[j]![m + i]!));

  const bytesPerInt = Math.ceil(p.toString(2).length / 8) + 1;
  const xof = createHash("shake256", { outputLength: bytesPerInt * 2 * m * rounds })
    .update(`Rescue-XLIX(${p},${m},${capacity},${securityLevel})`, "ascii")
    .digest();
  const C = Array.from({ length: 2 * m * rounds }, (_, i) => {
    let x = 0n;
    for (let j = 0; j < bytesPerInt; j++) x += BigInt(xof[i * bytesPerInt + j]!) << BigInt(8 * j);
    return x % p;
  });

  function permBig(state: bigint[]): bigint[] {
    let s = [...state];
    const mds = (v: bigint[]) => MDS.map((row) => mod(row.reduce((a, x, j) => a + x * v[j]!, 0n)));
    for (let r = 0; r < rounds; r++) {
      s = mds(s.map((x) => modpow(x, alpha))).map((x, j) => mod(x + C[2 * r * m + j]!));
      s = mds(s.map((x) => modpow(x, alphaInv))).map((x, j) => mod(x + C[2 * r * m + m + j]!));
    }
    return s;
  }
  return { alpha, alphaInv, rounds, MDS, C, permBig };
}
const { alpha, alphaInv, rounds, MDS, C, permBig } = reference(8, 4);
const hashBig = (x: bigint[]) => permBig([...x, 4n, 0n, 0n, 0n]).slice(0, 4);

describe("Rescue-Prime over KoalaBear against an independent BigInt implementation", () => {
  it("derives the same parameters", () => {
    expect(RESCUE.alpha).toBe(Number(alpha));
    expect(RESCUE.alphaInv).toBe(alphaInv);
    expect(RESCUE.rounds).toBe(rounds);
    expect(RESCUE.mds.flat().map(BigInt)).toEqual(MDS.flat());
    expect(RESCUE.constants.map(BigInt)).toEqual(C);
  });

  it("hashes the same values (committed vectors pin the instance)", () => {
    for (const x of [
      [0, 0, 0, 0],
      [1, 2, 3, 4],
      [2130706432, 2130706431, 1, 0],
    ]) {
      expect(rescueHash(x).map(BigInt)).toEqual(hashBig(x.map(BigInt)));
    }
    let v = [5n, 6n, 7n, 8n];
    for (let i = 0; i < 9; i++) v = hashBig(v);
    expect(rescueChain([5, 6, 7, 8], 9).map(BigInt)).toEqual(v);
    expect(rescueHash([0, 0, 0, 0])).toEqual(VECTOR_ZERO);
  });

  it("builds a trace whose digest is H^n(x) and whose fast constraints match the generic ones", () => {
    const { trace, digest } = rescueChainTrace([9, 8, 7, 6], 3);
    let v = [9n, 8n, 7n, 6n];
    for (let i = 0; i < 3; i++) v = hashBig(v);
    expect(digest.map(BigInt)).toEqual(v);
    const air = new RescueChainAir({ hashes: 3, digest });
    let s = 1;
    const rnd = () => (s = (Math.imul(s, 48271) >>> 0) % 2130706433);
    for (let i = 0; i < 50; i++) {
      const cur = Array.from({ length: 12 }, rnd);
      const next = Array.from({ length: 12 }, rnd);
      const per = Array.from({ length: 17 }, rnd);
      const a = new Array(16).fill(0);
      const b = new Array(16).fill(0);
      air.evalTransition(BASE_OPS, cur, next, per, a);
      air.evalTransitionBase(cur, next, per, b);
      expect(b).toEqual(a);
    }
    expect(trace.length).toBe(12);
  });
});

describe("the width-16 instance of the shielded notes", () => {
  const ref = reference(16, 8);
  const rp = rescue16Params();

  it("derives the same parameters as the reference", () => {
    expect(rp.alphaInv).toBe(ref.alphaInv);
    expect(rp.rounds).toBe(ref.rounds);
    expect(rp.mds.flat().map(BigInt)).toEqual(ref.MDS.flat());
    expect(rp.constants.map(BigInt)).toEqual(ref.C);
  });

  it("permutes the same way in the reference, the round code and the fast permutation", () => {
    const fast = new FastRescue(rp);
    for (const seed of [0, 1, 2130706432]) {
      const x = Array.from({ length: 16 }, (_, i) => (seed + i * 977) % 2130706433);
      const want = ref.permBig(x.map(BigInt));
      expect(rescuePermutation(x, rp).map(BigInt)).toEqual(want);
      const s = Float64Array.from(x);
      fast.permute(s);
      expect([...s].map(BigInt)).toEqual(want);
    }
    const s8 = Float64Array.from([1, 2, 3, 4, 4, 0, 0, 0]);
    new FastRescue(RESCUE).permute(s8);
    expect([...s8]).toEqual(rescuePermutation([1, 2, 3, 4, 4, 0, 0, 0]));
  });
});

/** H(0,0,0,0), computed by both implementations; pins the instance against silent changes. */
const VECTOR_ZERO = [1668007876, 1084496699, 1938322870, 940488688];
