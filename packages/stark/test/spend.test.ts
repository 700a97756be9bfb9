import { describe, expect, it } from "vitest";
import {
  BASE_OPS,
  decodeProof,
  encodeProof,
  findViolation,
  noteCommitment,
  nullifierOf,
  outputRho,
  P,
  prove,
  SPEND_CONSTRAINTS,
  SpendAir,
  type SpendStatement,
  type SpendWitness,
  StarkError,
  type StarkParams,
  spendConstraintName,
  spendPk,
  spendTrace,
  verify,
} from "../src/index.js";
import { ALICE, BOB, dummy, input, payment } from "./spend-fixture.js";

/** Few queries keep each 1024-row proof cheap; the soundness rules do not depend on the count. */
const FAST: StarkParams = {
  blowupLog: 2,
  queries: 8,
  grindingBits: 2,
  foldLog: 3,
  maxRemainderLog: 4,
  zk: true,
};
const LOOSE = { minConjecturedBits: 0 };

/** A proof forced from a trace that breaks `rule` is refused by verify with PROOF_INVALID. */
function refused(
  rule: string,
  statement: SpendStatement,
  trace: Uint32Array[],
  proofStatement = statement,
): void {
  const bad = findViolation(new SpendAir(proofStatement), trace);
  expect(bad && "constraint" in bad ? spendConstraintName(bad.constraint) : bad).toBe(rule);
  const proof = prove(new SpendAir(proofStatement), trace, { params: FAST, skipWitnessCheck: true });
  let err: unknown;
  try {
    verify(new SpendAir(statement), decodeProof(encodeProof(proof)), LOOSE);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StarkError);
  expect((err as StarkError).code).toBe("PROOF_INVALID");
}

const honest = spendTrace(payment());
const honestProof = encodeProof(prove(new SpendAir(honest.statement), honest.trace, { params: FAST }));

describe("spend AIR: the honest path", () => {
  it("proves a payment with a dummy input; the statement holds the native nullifiers and commitments", () => {
    const s = honest.statement;
    verify(new SpendAir(s), decodeProof(honestProof), LOOSE);
    expect(s.nullifiers[0]).toEqual(nullifierOf(ALICE, [1, 2, 3, 4]));
    expect(s.nullifiers[1]).toEqual(nullifierOf(dummy().sk, dummy().rho));
    expect(s.commitments[0]).toEqual(
      noteCommitment(spendPk(BOB), 600n, outputRho(s.nullifiers[0], 0), [2, 2, 2, 2]),
    );
    expect(s.nullifiers[0]).not.toEqual(noteCommitment(spendPk(ALICE), 700n, [1, 2, 3, 4], [5, 6, 7, 8]));
  });

  it("shields (public value in, two dummies) and unshields (public value out)", () => {
    const shield = spendTrace(
      payment({
        inputs: [dummy(), { ...dummy(), sk: [2, 7, 1, 8] }],
        publicIn: 1000n,
        outputs: [
          { pk: spendPk(ALICE), value: 995n, r: [1, 1, 1, 1] },
          { pk: spendPk(ALICE), value: 0n, r: [4, 4, 4, 4] },
        ],
        fee: 5n,
      }),
    );
    verify(
      new SpendAir(shield.statement),
      prove(new SpendAir(shield.statement), shield.trace, { params: FAST }),
      LOOSE,
    );
    const unshield = spendTrace(
      payment({
        inputs: [input(2), input(1)],
        outputs: [
          { pk: spendPk(ALICE), value: 0n, r: [1, 1, 1, 1] },
          { pk: spendPk(ALICE), value: 2n ** 63n - 1n, r: [4, 4, 4, 4] },
        ],
        publicOut: 690n,
        fee: 11n,
      }),
    );
    verify(
      new SpendAir(unshield.statement),
      prove(new SpendAir(unshield.statement), unshield.trace, { params: FAST }),
      LOOSE,
    );
  });

  it("evaluates the fast base-field constraints exactly like the generic ones", () => {
    const air = new SpendAir(honest.statement);
    let s = 7;
    const rnd = () => (s = (Math.imul(s, 48271) >>> 0) % P);
    for (let i = 0; i < 40; i++) {
      const cur = Array.from({ length: air.width }, rnd);
      const next = Array.from({ length: air.width }, rnd);
      const per = air.periodicColumns.map(rnd);
      const a = new Array(SPEND_CONSTRAINTS).fill(-1);
      const b = new Array(SPEND_CONSTRAINTS).fill(-2);
      air.evalTransition(BASE_OPS, cur, next, per, a);
      air.evalTransitionBase(cur, next, per, b);
      expect(b).toEqual(a);
    }
  });
});

describe("spend AIR: each soundness rule is enforced by verify", () => {
  it("refuses a note that is not in the tree under the public root", () => {
    const other = { ...honest.statement, root: honest.statement.commitments[0] };
    refused("root-0", other, honest.trace, other);
    const forged = spendTrace(payment({ inputs: [{ ...input(1), value: 800n }, dummy()], fee: 110n }), {
      unchecked: true,
    });
    refused("root-0", forged.statement, forged.trace);
  });

  it("refuses a forged nullifier", () => {
    const s = honest.statement;
    const forged = { ...s, nullifiers: [nullifierOf(BOB, [1, 2, 3, 4]), s.nullifiers[1]] as const };
    refused("nullifier-0", forged, honest.trace, forged);
  });

  it("refuses value created from nothing", () => {
    const more = spendTrace(
      payment({ outputs: [{ pk: spendPk(BOB), value: 601n, r: [2, 2, 2, 2] }, payment().outputs[1]] }),
      {
        unchecked: true,
      },
    );
    refused("balance", more.statement, more.trace);
    const lowerFee = { ...honest.statement, fee: 9n };
    refused("balance", lowerFee, honest.trace, lowerFee);
    const valuedDummy = spendTrace(payment({ inputs: [input(1), { ...dummy(), value: 50n }], fee: 60n }), {
      unchecked: true,
    });
    refused("dummy-value-1", valuedDummy.statement, valuedDummy.trace);
  });

  it("refuses an amount of 2^64 even when the integers balance (2^63 + 2^63)", () => {
    const big: SpendWitness = payment({
      inputs: [input(2), input(3)],
      outputs: [
        { pk: spendPk(ALICE), value: 2n ** 64n, r: [1, 1, 1, 1] },
        { pk: spendPk(ALICE), value: 0n, r: [2, 2, 2, 2] },
      ],
      fee: 0n,
    });
    expect(() => spendTrace(big)).toThrow(StarkError);
    const t = spendTrace(big, { unchecked: true });
    refused("range", t.statement, t.trace);
  });

  it("refuses the proof re-attached to another transaction", () => {
    const other: SpendStatement = { ...honest.statement, txHash: new Uint8Array(32).fill(8) };
    expect(() => verify(new SpendAir(other), decodeProof(honestProof), LOOSE)).toThrow(StarkError);
    const edited = decodeProof(honestProof);
    edited.publicInputs = new SpendAir(other).publicInputWords();
    expect(() => verify(new SpendAir(other), edited, LOOSE)).toThrow(StarkError);
  });

  it("refuses tampered proof bytes", () => {
    const air = new SpendAir(honest.statement);
    for (let i = 0; i < honestProof.length; i += 97) {
      const bad = Uint8Array.from(honestProof);
      bad[i]! ^= 1 << (i % 8);
      expect(() => verify(air, decodeProof(bad), LOOSE)).toThrow(StarkError);
    }
  });

  it("reveals the amounts without ZK (an opened register column is the value limb), not with it", () => {
    const valueColumn = 51; // layout.ts: COL.value, limb 0 of input 0
    const plain = prove(new SpendAir(honest.statement), honest.trace, { params: { ...FAST, zk: false } });
    const opened = (p: typeof plain) => [...p.traceRows.filter((_, i) => i % 79 === valueColumn)];
    expect(opened(plain).every((v) => v === 700)).toBe(true);
    const zk = decodeProof(honestProof);
    expect(opened(zk).some((v) => v === 700)).toBe(false);
  });
});
