import type { Air, BoundaryConstraint, FieldOps } from "../../air.js";
import { fromInt } from "../../field.js";
import { rescue16Params } from "../../rescue/params.js";
import { makeSpendBaseEval } from "./air-base.js";
import { LEN_CM, LEN_NF, LEN_PK, spongeIv, TAG_CM, TAG_NF, TAG_PK } from "./hash.js";
import {
  ACTIVE_ROWS,
  COL,
  M,
  NOTES,
  PER,
  RANGE,
  SEL,
  spendPeriodicColumns,
  TRACE_LENGTH,
  WIDTH,
} from "./layout.js";
import { type SpendConstants, type SpendStatement, spendConstants, statementWords } from "./statement.js";
import { CARRY_OFFSET, LIMB_BITS } from "./values.js";

const IV_PK = spongeIv(LEN_PK, TAG_PK);
const IV_CM = spongeIv(LEN_CM, TAG_CM);
const IV_NF = spongeIv(LEN_NF, TAG_NF);
const LIMB_BASE = 2 ** 22;
/** The constraints in emission order, by rule (names for diagnostics and soundness tests). */
const SEGMENTS: readonly (readonly [string, number])[] = [
  ["rescue-round", 16],
  ["aux-off-boundary", 16],
  ["pk-input-0", 16],
  ["pk-input-1", 16],
  ["commitment-start", 16],
  ["commitment-absorb-in0", 15],
  ["commitment-absorb-in1", 15],
  ["commitment-absorb-out0", 15],
  ["commitment-absorb-out1", 15],
  ["commitment-last-block", 13],
  ["merkle-step", 9],
  ["root-0", 8],
  ["nullifier-input-0", 16],
  ["root-1", 8],
  ["nullifier-input-1", 16],
  ["nullifier-0", 8],
  ["nullifier-1", 8],
  ["output-start", 8],
  ["output-commitment-0", 8],
  ["output-commitment-1", 8],
  ["register-constant", 32],
  ["flag-bit-0", 1],
  ["dummy-value-0", 3],
  ["flag-bit-1", 1],
  ["dummy-value-1", 3],
  ["balance", 3],
  ["range", 42],
];
export const SPEND_CONSTRAINTS = SEGMENTS.reduce((n, [, c]) => n + c, 0);

/** The rule a constraint index belongs to (e.g. "root-0", "balance", "range"). */
export function spendConstraintName(index: number): string {
  let start = 0;
  for (const [name, count] of SEGMENTS) {
    if (index < start + count) return name;
    start += count;
  }
  return "unknown";
}

/**
 * The 2-input / 2-output spend (layout.ts for the trace). It proves, for the public statement
 * (statement.ts):
 * - each input i: pk = S_pk(sk_i), cm = S_cm(pk, ρ_i, v_i, r) opens by a 32-level path to the
 *   public root — unless FLAG_i = 0 (a dummy), which forces v_i = 0 — and the public
 *   nullifier is S_nf(sk_i, ρ_i);
 * - each output j: the public commitment is S_cm(pk_j, ρ_j, v_j, r_j) with ρ_j = S_ρ(nf_0, j);
 * - every value is < 2^64 (three range-checked limbs), and
 *   v_in0 + v_in1 + publicIn = v_out0 + v_out1 + publicOut + fee over the integers
 *   (limb-wise with two carries in [−8, 8)).
 * All constraints have degree ≤ 3.
 */
export class SpendAir implements Air {
  readonly id = "spend/v1";
  readonly width = WIDTH;
  readonly traceLength = TRACE_LENGTH;
  readonly constraintDegree = 3;
  readonly numTransitionConstraints = SPEND_CONSTRAINTS;
  readonly periodicColumns: readonly Uint32Array[] = spendPeriodicColumns();
  readonly boundary: readonly BoundaryConstraint[] = [];
  readonly activeRows = ACTIVE_ROWS;
  readonly constants: SpendConstants;
  private readonly baseEval: ReturnType<typeof makeSpendBaseEval>;

  constructor(readonly statement: SpendStatement) {
    this.constants = spendConstants(statement);
    this.baseEval = makeSpendBaseEval(this.constants);
  }

  evalTransitionBase(
    cur: readonly number[],
    next: readonly number[],
    per: readonly number[],
    out: number[],
  ): void {
    this.baseEval(cur, next, per, out);
  }

  publicInputWords(): number[] {
    return statementWords(this.statement);
  }

  evalTransition<E>(
    F: FieldOps<E>,
    cur: readonly E[],
    next: readonly E[],
    per: readonly E[],
    out: E[],
  ): void {
    const k = this.constants;
    let n = 0;
    const emit = (v: E) => {
      out[n++] = v;
    };
    const c = (x: number) => F.constant(fromInt(x));
    const sn = (j: number) => next[COL.state + j]!;
    const a = (j: number) => cur[COL.aux + j]!;
    const o = (j: number) => F.add(sn(j), a(j)); // a slot's output, at its last round row
    const sel = (s: number) => per[PER.sel + s]!;
    const cube = (x: E) => F.mul(F.mul(x, x), x);
    const one = c(1);

    // Rescue rounds: (MDS⁻¹·(o − c2))³ = MDS·cur³ + c1 on every row (o = next off the last round).
    const rp = rescue16Params();
    const s3 = Array.from({ length: M }, (_, j) => cube(cur[COL.state + j]!));
    const d = Array.from({ length: M }, (_, j) => F.sub(o(j), per[PER.c2 + j]!));
    for (let j = 0; j < M; j++) {
      let u: E = per[PER.c1 + j]!;
      let v = c(0);
      for (let i = 0; i < M; i++) {
        u = F.add(u, F.mul(c(rp.mds[j]![i]!), s3[i]!));
        v = F.add(v, F.mul(c(rp.mdsInv[j]![i]!), d[i]!));
      }
      emit(F.sub(cube(v), u));
    }
    const notLast = F.sub(one, per[PER.last]!);
    for (let j = 0; j < M; j++) emit(F.mul(notLast, a(j)));

    // Slot boundaries. `gate(s, x)` = selector s times x.
    const gate = (s: number, x: E) => emit(F.mul(sel(s), x));
    const reg = (col: number) => cur[col]!;
    const capacityIs = (s: number, iv: readonly number[]) => {
      for (let j = 0; j < 8; j++) gate(s, F.sub(sn(8 + j), c(iv[j]!)));
    };
    for (const i of [0, 1] as const) {
      const s = i === 0 ? SEL.pk0 : SEL.pk1;
      for (let j = 0; j < 4; j++) gate(s, F.sub(sn(j), reg(COL.sk[i] + j)));
      for (let j = 4; j < 8; j++) gate(s, sn(j));
      capacityIs(s, IV_PK);
    }
    for (let j = 0; j < 8; j++) gate(SEL.cm1In, a(j));
    capacityIs(SEL.cm1In, IV_CM);
    const cm2 = [SEL.cm2In0, SEL.cm2In1, SEL.cm2Out0, SEL.cm2Out1];
    for (let t = 0; t < NOTES; t++) {
      const s = cm2[t]!;
      for (let j = 0; j < 4; j++)
        gate(s, F.add(a(j), t < 2 ? reg(COL.rho[t as 0 | 1] + j) : c(k.rhoOut[t - 2]![j]!)));
      for (let l = 0; l < 3; l++) gate(s, F.add(a(4 + l), reg(COL.value + 3 * t + l)));
      for (let j = 8; j < 16; j++) gate(s, a(j));
    }
    for (let j = 3; j < 16; j++) gate(SEL.cm3, a(j));
    const b = cur[COL.dir]!;
    for (let j = 0; j < 8; j++)
      gate(SEL.merkle, F.add(F.mul(b, F.sub(F.sub(sn(8 + j), sn(j)), F.add(a(j), a(j)))), a(j)));
    gate(SEL.merkle, F.mul(b, F.sub(one, b)));
    for (const i of [0, 1] as const) {
      const s = i === 0 ? SEL.root0 : SEL.root1;
      const flag = reg(COL.flag[i]);
      for (let j = 0; j < 8; j++) gate(s, F.mul(flag, F.sub(o(j), c(k.root[j]!))));
      for (let j = 0; j < 4; j++) gate(s, F.sub(sn(j), reg(COL.sk[i] + j)));
      for (let j = 0; j < 4; j++) gate(s, F.sub(sn(4 + j), reg(COL.rho[i] + j)));
      capacityIs(s, IV_NF);
    }
    for (const i of [0, 1] as const)
      for (let j = 0; j < 8; j++) gate(i === 0 ? SEL.nf0 : SEL.nf1, F.sub(o(j), c(k.nullifiers[i][j]!)));
    capacityIs(SEL.cm1Out, IV_CM);
    for (const t of [0, 1] as const)
      for (let j = 0; j < 8; j++)
        gate(t === 0 ? SEL.cmOut0 : SEL.cmOut1, F.sub(o(j), c(k.commitments[t][j]!)));

    // Registers stay constant; flags are bits and a dummy input carries no value.
    for (let col = COL.sk[0]; col < COL.acc; col++) emit(F.sub(next[col]!, cur[col]!));
    for (const i of [0, 1] as const) {
      const flag = reg(COL.flag[i]);
      emit(F.mul(flag, F.sub(one, flag)));
      for (let l = 0; l < 3; l++) emit(F.mul(F.sub(one, flag), reg(COL.value + 3 * i + l)));
    }

    // Balance, limb by limb: D_l = in0 + in1 − out0 − out1 + (publicIn − publicOut − fee)_l.
    const limbSum = (l: number) => {
      let acc = c(k.publicLimbs[l]!);
      for (let t = 0; t < NOTES; t++) {
        const v = reg(COL.value + 3 * t + l);
        acc = t < 2 ? F.add(acc, v) : F.sub(acc, v);
      }
      return acc;
    };
    const c0 = reg(COL.carry);
    const c1 = reg(COL.carry + 1);
    emit(F.sub(limbSum(0), F.mul(c(LIMB_BASE), c0)));
    emit(F.sub(F.add(limbSum(1), c0), F.mul(c(LIMB_BASE), c1)));
    emit(F.add(limbSum(2), c1));

    // Range checks: ACC doubles and adds a bit each row of a 32-row period, then equals its target.
    const rangeSel = (r: number) => per[PER.range + r]!;
    for (let j = 0; j < 14; j++) {
      const acc = cur[COL.acc + j]!;
      const accNext = next[COL.acc + j]!;
      const bit = F.sub(accNext, F.add(acc, acc));
      emit(F.mul(rangeSel(RANGE.acc), F.mul(bit, F.sub(bit, one))));
      emit(F.mul(rangeSel(RANGE.reset), F.mul(accNext, F.sub(accNext, one))));
      if (j < 12) {
        const end = LIMB_BITS[j % 3] === 22 ? RANGE.end22 : RANGE.end20;
        emit(F.mul(rangeSel(end), F.sub(acc, reg(COL.value + j))));
      } else {
        emit(F.mul(rangeSel(RANGE.end4), F.sub(acc, F.add(reg(COL.carry + j - 12), c(CARRY_OFFSET)))));
      }
    }
  }
}
