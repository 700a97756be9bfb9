import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  P,
  prove,
  type RandomSource,
  SpendAir,
  type StarkProof,
  spendTrace,
  ZK_PARAMS,
} from "../src/index.js";
import { payment } from "./spend-fixture.js";

/*
 * What a shielded spend proof reveals, tested for uniformity over the field: every opened trace
 * value, composition value, out-of-domain value and first FRI layer value of several ZK proofs
 * of the same spend. Kolmogorov–Smirnov against uniform on [0, p), χ² over 64 equal ranges and
 * over residues mod 16, and repeats. The prover's randomness comes from a fixed seed, so the
 * test is deterministic; the thresholds are those a uniform sample exceeds with probability
 * 10⁻⁶. The same proofs without ZK fail: zero trace columns show as zeros in the openings and
 * the out-of-domain values.
 */

/** A deterministic RandomSource: SHA-256 of (seed, counter), eight words per block. */
function seeded(seed: string): RandomSource {
  let counter = 0;
  return (out) => {
    for (let i = 0; i < out.length; i += 8) {
      const block = createHash("sha256").update(`${seed}/${counter++}`).digest();
      for (let j = 0; j < 8 && i + j < out.length; j++) out[i + j] = block.readUInt32LE(4 * j);
    }
  };
}

/** Largest distance between the empirical CDF and x/p. */
function ksDistance(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    const f = x / P;
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  });
  return d;
}
/** The KS distance a uniform sample of n exceeds with probability α (asymptotic, Smirnov). */
const ksLimit = (n: number, alpha = 1e-6) => Math.sqrt(-Math.log(alpha / 2) / (2 * n));

function chiSquare(values: readonly number[], buckets: number, bucketOf: (v: number) => number): number {
  const counts = new Array<number>(buckets).fill(0);
  for (const v of values) counts[bucketOf(v)]!++;
  const e = values.length / buckets;
  return counts.reduce((s, o) => s + (o - e) ** 2 / e, 0);
}
/** χ² quantiles at 1 − 10⁻⁶: 63 and 15 degrees of freedom. */
const CHI2_63 = 131.4;
const CHI2_15 = 56.5;

function revealed(proofs: readonly StarkProof[]): Record<string, number[]> {
  return {
    trace: proofs.flatMap((p) => [...p.traceRows]),
    composition: proofs.flatMap((p) => [...p.compositionRows]),
    outOfDomain: proofs.flatMap((p) => [...p.oodTrace, ...p.oodTraceNext, ...p.oodComposition].flat()),
    fri: proofs.flatMap((p) => [...p.friLayers[0]!.values]),
  };
}

const { trace, statement } = spendTrace(payment());
const air = new SpendAir(statement);

/** The checks a uniform sample passes (each fails with probability ≤ 10⁻⁶); the names of those failed. */
function failedChecks(values: readonly number[]): string[] {
  const failed: string[] = [];
  if (ksDistance(values) >= ksLimit(values.length)) failed.push("KS");
  if (chiSquare(values, 64, (v) => Math.floor((v / P) * 64)) >= CHI2_63) failed.push("χ² ranges");
  if (chiSquare(values, 16, (v) => v % 16) >= CHI2_15) failed.push("χ² mod 16");
  // n² / 2p ≈ 0.04 repeats are expected among 13,000 uniform values; 3 have probability ~10⁻⁵.
  if (values.length - new Set(values).size > 2) failed.push("repeats");
  return failed;
}

describe("the values a shielded spend proof reveals", () => {
  it("are uniform over the field in ZK mode: four proofs of one spend pass every check", () => {
    const proofs = ["a", "b", "c", "d"].map((s) =>
      prove(air, trace, { params: ZK_PARAMS, random: seeded(s) }),
    );
    for (const [what, values] of Object.entries(revealed(proofs))) {
      expect(values.length, what).toBeGreaterThan(2000);
      expect(failedChecks(values), what).toEqual([]);
    }
  }, 600_000);

  it("are not uniform without ZK: the same checks fail on one plain proof of that spend", () => {
    const plain = revealed([prove(air, trace, { params: { ...ZK_PARAMS, zk: false } })]);
    // Zero trace columns (dummy inputs, padding) show as zeros in the openings and at z.
    for (const what of ["trace", "outOfDomain"]) {
      expect(failedChecks(plain[what]!), what).toEqual(expect.arrayContaining(["KS", "χ² ranges"]));
      expect(plain[what]!.filter((v) => v === 0).length, what).toBeGreaterThan(plain[what]!.length / 10);
    }
  }, 600_000);
});
