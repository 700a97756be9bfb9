import { describe, expect, it } from "vitest";
import { periodicAt, periodicAtByCoeffs } from "../src/domain.js";
import {
  type Air,
  type BoundaryConstraint,
  DEFAULT_PARAMS,
  decodeProof,
  encodeProof,
  FibonacciAir,
  type FieldOps,
  fibonacciTrace,
  GENERATOR,
  mul,
  pow,
  prove,
  RescueChainAir,
  rescueChainTrace,
  rootOfUnity,
  StarkError,
  type StarkParams,
  type StarkProof,
  securityOf,
  verify,
  ZK_PARAMS,
} from "../src/index.js";

/**
 * A statement with a low-entropy secret: column 0 holds a constant c with c³ = c (so c ∈ {0, 1,
 * −1}), column 1 counts rows from 0. Nothing public depends on c, so a proof must not reveal
 * it. Without ZK the trace polynomial of column 0 is the constant c and every opening shows it.
 */
class SecretConstantAir implements Air {
  readonly id = "test/secret-constant";
  readonly width = 2;
  readonly constraintDegree = 3;
  readonly numTransitionConstraints = 3;
  readonly periodicColumns: readonly Uint32Array[] = [];
  readonly boundary: readonly BoundaryConstraint[] = [{ column: 1, row: 0, value: 0 }];
  readonly activeRows = 1;
  constructor(readonly traceLength: number) {}
  publicInputWords(): number[] {
    return [this.traceLength];
  }
  evalTransition<E>(F: FieldOps<E>, cur: readonly E[], next: readonly E[], _p: readonly E[], out: E[]): void {
    out[0] = F.sub(next[0]!, cur[0]!);
    out[1] = F.sub(F.mul(F.mul(cur[0]!, cur[0]!), cur[0]!), cur[0]!);
    out[2] = F.sub(F.sub(next[1]!, cur[1]!), F.constant(1));
  }
}

const N = 128;
const secretAir = new SecretConstantAir(N);
const secretTrace = [new Uint32Array(N), Uint32Array.from({ length: N }, (_, i) => i)];
/** 16 queries keep 24 proofs cheap; the argument holds for any q (random rows = 2q + 8). */
const TEST: StarkParams = {
  blowupLog: 2,
  queries: 16,
  grindingBits: 2,
  foldLog: 2,
  maxRemainderLog: 2,
  zk: false,
};
const TEST_ZK: StarkParams = { ...TEST, zk: true };
const LOOSE = { minConjecturedBits: 0 };

/** χ² of the values' residues mod 16 against the uniform distribution (15 degrees of freedom). */
function chiSquare(values: readonly number[]): number {
  const counts = new Array(16).fill(0);
  for (const v of values) counts[v % 16]++;
  const e = values.length / 16;
  return counts.reduce((s, o) => s + (o - e) ** 2 / e, 0);
}
/** P(χ²₁₅ > 60) ≈ 2.5·10⁻⁷: a uniform sample fails this about once in four million runs. */
const CHI2_LIMIT = 60;

function revealed(proofs: StarkProof[]) {
  const ood = (p: StarkProof) => [...p.oodTrace, ...p.oodTraceNext, ...p.oodComposition].flat();
  return {
    trace: proofs.flatMap((p) => [...p.traceRows]),
    composition: proofs.flatMap((p) => [...p.compositionRows]),
    ood: proofs.flatMap(ood),
    fri: proofs.flatMap((p) => [...p.friLayers[0]!.values]),
  };
}

describe("zero-knowledge mode", () => {
  it("gives two different proofs of the same statement, both valid; without ZK the proof is deterministic", () => {
    const a = encodeProof(prove(secretAir, secretTrace, { params: TEST_ZK }));
    const b = encodeProof(prove(secretAir, secretTrace, { params: TEST_ZK }));
    expect(a).not.toEqual(b);
    verify(secretAir, decodeProof(a), LOOSE);
    verify(secretAir, decodeProof(b), LOOSE);
    const c = encodeProof(prove(secretAir, secretTrace, { params: TEST }));
    expect(encodeProof(prove(secretAir, secretTrace, { params: TEST }))).toEqual(c);
  });

  it("reveals values that pass a uniformity test over many proofs of a low-entropy witness; without ZK they fail it", () => {
    const zk = revealed(Array.from({ length: 24 }, () => prove(secretAir, secretTrace, { params: TEST_ZK })));
    for (const [what, values] of Object.entries(zk)) {
      expect(values.length, what).toBeGreaterThan(300);
      expect(chiSquare(values), what).toBeLessThan(CHI2_LIMIT);
    }
    const plain = revealed(Array.from({ length: 24 }, () => prove(secretAir, secretTrace, { params: TEST })));
    expect(chiSquare(plain.trace)).toBeGreaterThan(CHI2_LIMIT);
    expect(chiSquare(plain.composition)).toBeGreaterThan(CHI2_LIMIT);
    // and the secret is in plain view: every opening of column 0 is c
    const proof = prove(secretAir, secretTrace, { params: TEST });
    expect(proof.traceRows.filter((_, i) => i % 2 === 0).every((v) => v === 0)).toBe(true);
  });

  it("binds the zk flag: a proof relabelled to the other mode is refused", () => {
    const zkProof = decodeProof(encodeProof(prove(secretAir, secretTrace, { params: TEST_ZK })));
    zkProof.params = { ...zkProof.params, zk: false };
    expect(() => verify(secretAir, zkProof, LOOSE)).toThrow(StarkError);
    const plain = decodeProof(encodeProof(prove(secretAir, secretTrace, { params: TEST })));
    plain.params = { ...plain.params, zk: true };
    expect(() => verify(secretAir, plain, LOOSE)).toThrow(StarkError);
  });

  it("never opens a point of the trace domain: the LDE coset is disjoint from every 2-power subgroup", () => {
    for (const logN of [3, 7, 10]) {
      const size = 4 << logN;
      const w = rootOfUnity(Math.log2(size));
      for (let i = 0, x = GENERATOR; i < size; i++, x = mul(x, w)) expect(pow(x, 1 << logN)).not.toBe(1);
    }
  });

  it("refuses an AIR that leaves no room for the random rows", () => {
    const fib = new FibonacciAir({ traceLength: 64, result: fibonacciTrace(64)[1]![63]! });
    expect(() => prove(fib, fibonacciTrace(64), { params: TEST_ZK })).toThrow(/zero-knowledge|boundary/);
  });

  it("keeps ≥ 96 conjectured bits with the default ZK parameters, and verifies under the default floor", () => {
    const sec = securityOf(ZK_PARAMS, {
      logTraceLength: 10,
      constraintDegree: 3,
      numConstraints: 20,
      width: 12,
    });
    expect(sec.conjecturedBits).toBeGreaterThanOrEqual(96);
    expect(sec).toEqual(
      securityOf(DEFAULT_PARAMS, { logTraceLength: 10, constraintDegree: 3, numConstraints: 20, width: 12 }),
    );
    const { trace, digest } = rescueChainTrace([4, 3, 2, 1], 20, ZK_PARAMS);
    const air = new RescueChainAir({ hashes: 20, digest }, ZK_PARAMS);
    verify(air, decodeProof(encodeProof(prove(air, trace, { params: ZK_PARAMS }))));
  });
});

describe("periodic columns at an out-of-domain point", () => {
  it("evaluates sparse columns by the barycentric formula exactly as from their coefficients", () => {
    const y = [123456, 654321, 42, 7] as const;
    const columns = [
      Uint32Array.of(5),
      Uint32Array.of(0, 0, 0, 0),
      Uint32Array.of(0, 0, 0, 0, 0, 0, 0, 1),
      Uint32Array.from({ length: 1024 }, (_, i) => (i % 97 === 3 ? 1 : 0)),
      Uint32Array.from({ length: 32 }, (_, i) => (i * 7919) % 2130706433),
    ];
    for (const col of columns) expect(periodicAt(col, y)).toEqual(periodicAtByCoeffs(col, y));
  });
});
