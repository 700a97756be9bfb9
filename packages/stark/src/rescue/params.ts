import { shake256 } from "@noble/hashes/sha3.js";
import { StarkError } from "../errors.js";
import { inv, mul, P, pow, sub } from "../field.js";

/**
 * Rescue-Prime (Szepieniec, Ashur, Dhooghe: "Rescue-Prime: a Standard Specification (SoK)",
 * ePrint 2020/1143), instantiated over KoalaBear with the specification's own parameter
 * generation (the reference `rescue_prime.sage`, KULeuven-COSIC/Marvellous):
 * - α = smallest integer ≥ 3 coprime to p − 1 (3 for KoalaBear), α⁻¹ mod p − 1;
 * - rounds N = ⌈1.5·max(5, ℓ0, ℓ1)⌉ (Algorithm 8: Gröbner-basis bound ℓ1, differential bound ℓ0);
 * - MDS = transpose of the right half of the reduced echelon form of the m×2m Vandermonde
 *   matrix [g^{ij}], g the smallest primitive element;
 * - round constants from SHAKE256("Rescue-XLIX(p,m,capacity,security_level)"), ⌈bits(p)/8⌉+1
 *   little-endian bytes per constant, reduced mod p.
 * State width m = 8, capacity 4 (≈124 bits), rate 4, security level 128.
 */
export interface RescueParams {
  m: number;
  capacity: number;
  securityLevel: number;
  alpha: number;
  alphaInv: bigint;
  rounds: number;
  mds: number[][];
  mdsInv: number[][];
  /** 2·m·rounds constants: round r uses [2rm, 2rm+m) after the α layer, [2rm+m, 2rm+2m) after α⁻¹. */
  constants: number[];
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

export function rescueRounds(m: number, capacity: number, securityLevel: number, alpha: number): number {
  const rate = m - capacity;
  const dcon = (n: number) => Math.floor(0.5 * (alpha - 1) * m * (n - 1) + 2);
  const v = (n: number) => m * (n - 1) + rate;
  const target = 2n ** BigInt(securityLevel);
  let l1 = 1;
  for (; l1 < 25; l1++) if (binomial(v(l1) + dcon(l1), v(l1)) ** 2n > target) break;
  const l0 = (2 * securityLevel) / ((m + 1) * (Math.log2(P) - Math.log2(alpha - 1)));
  return Math.ceil(1.5 * Math.max(5, l0, l1));
}

function primitiveElement(): number {
  const factors = [2, 127]; // p − 1 = 2^24 · 127
  for (let g = 2; ; g++) if (factors.every((q) => pow(g, (P - 1) / q) !== 1)) return g;
}

/** Inverse of a square matrix over F_p by Gauss–Jordan elimination. */
export function invertMatrix(a: number[][]): number[][] {
  const m = a.length;
  const aug = a.map((row, i) => [...row, ...Array.from({ length: m }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < m; col++) {
    const piv = aug.findIndex((row, r) => r >= col && row[col] !== 0);
    if (piv < 0) throw new StarkError("BAD_PARAMETERS", "singular matrix");
    [aug[col], aug[piv]] = [aug[piv]!, aug[col]!];
    const row = aug[col]!;
    const ic = inv(row[col]!);
    for (let j = 0; j < 2 * m; j++) row[j] = mul(row[j]!, ic);
    for (let r = 0; r < m; r++) {
      if (r === col || aug[r]![col] === 0) continue;
      const f = aug[r]![col]!;
      for (let j = 0; j < 2 * m; j++) aug[r]![j] = sub(aug[r]![j]!, mul(f, row[j]!));
    }
  }
  return aug.map((row) => row.slice(m));
}

function mdsMatrix(m: number): number[][] {
  const g = primitiveElement();
  const left = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => pow(g, i * j)));
  const right = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => pow(g, i * (j + m))));
  const li = invertMatrix(left);
  // echelon form = [I | L⁻¹·R]; the MDS matrix is (L⁻¹·R)ᵀ
  const e = li.map((row) =>
    Array.from({ length: m }, (_, j) => row.reduce((acc, v, k) => (acc + mul(v, right[k]![j]!)) % P, 0)),
  );
  return Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => e[j]![i]!));
}

function roundConstants(m: number, capacity: number, securityLevel: number, rounds: number): number[] {
  const bytesPerInt = Math.ceil(P.toString(2).length / 8) + 1;
  const count = 2 * m * rounds;
  const seed = new TextEncoder().encode(`Rescue-XLIX(${P},${m},${capacity},${securityLevel})`);
  const bytes = shake256(seed, { dkLen: bytesPerInt * count });
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let x = 0n;
    for (let j = bytesPerInt - 1; j >= 0; j--) x = (x << 8n) | BigInt(bytes[i * bytesPerInt + j]!);
    out.push(Number(x % BigInt(P)));
  }
  return out;
}

export function rescueParams(m = 8, capacity = 4, securityLevel = 128): RescueParams {
  let alpha = 3;
  while (gcd(BigInt(alpha), BigInt(P - 1)) !== 1n) alpha++;
  const alphaInv = modInverse(BigInt(alpha), BigInt(P - 1));
  const rounds = rescueRounds(m, capacity, securityLevel, alpha);
  const mds = mdsMatrix(m);
  return {
    m,
    capacity,
    securityLevel,
    alpha,
    alphaInv,
    rounds,
    mds,
    mdsInv: invertMatrix(mds),
    constants: roundConstants(m, capacity, securityLevel, rounds),
  };
}

function modInverse(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [n, a % n, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % n) + n) % n;
}

/** The instance the AIR and the service use, computed once. */
export const RESCUE = rescueParams();

let rescue16: RescueParams | undefined;
/**
 * The width-16 instance (capacity 8, rate 8) the shielded-note hashes use: 8-word (248-bit)
 * digests for ~124-bit collision resistance, where the width-8 instance's 4-word digests and
 * capacity give only ~62. Same specification and parameter generation; computed on first use.
 */
export function rescue16Params(): RescueParams {
  rescue16 ??= rescueParams(16, 8, 128);
  return rescue16;
}
