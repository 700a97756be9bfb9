import { fromInt, mul, P } from "../../field.js";
import { rescue16Params } from "../../rescue/params.js";
import { LEN_CM, LEN_NF, LEN_PK, spongeIv, TAG_CM, TAG_NF, TAG_PK } from "./hash.js";
import { COL, M, NOTES, PER, RANGE, SEL } from "./layout.js";
import type { SpendConstants } from "./statement.js";
import { CARRY_OFFSET, LIMB_BITS } from "./values.js";

/**
 * The spend constraints of air.ts over the base field, allocation-free, for the prover's hot
 * loop (one call per point of the composition domain). Every value stays in [0, p); sums of a
 * few reduced terms are reduced once. It must emit exactly what `SpendAir.evalTransition`
 * emits, in the same order; the AIR's tests compare the two on random rows.
 */
export function makeSpendBaseEval(
  k: SpendConstants,
): (cur: readonly number[], next: readonly number[], per: readonly number[], out: number[]) => void {
  const rp = rescue16Params();
  const mds = Float64Array.from(rp.mds.flat());
  const mdsInv = Float64Array.from(rp.mdsInv.flat());
  const ivPk = spongeIv(LEN_PK, TAG_PK);
  const ivCm = spongeIv(LEN_CM, TAG_CM);
  const ivNf = spongeIv(LEN_NF, TAG_NF);
  const rhoOut = [...k.rhoOut[0], ...k.rhoOut[1]];
  const pubLimbs = k.publicLimbs.map(fromInt);
  const s3 = new Float64Array(M);
  const d = new Float64Array(M);
  const o = new Float64Array(M);
  const lb = 2 ** 22;
  const neg = (x: number) => (x === 0 ? 0 : P - x);

  return (cur, next, per, out) => {
    let n = 0;
    for (let j = 0; j < M; j++) {
      const x = cur[j]!;
      s3[j] = mul(mul(x, x), x);
      o[j] = (next[j]! + cur[COL.aux + j]!) % P;
      d[j] = (o[j]! + P - per[PER.c2 + j]!) % P;
    }
    for (let j = 0; j < M; j++) {
      let u = per[PER.c1 + j]!;
      let v = 0;
      for (let i = 0; i < M; i++) {
        u += mul(mds[j * M + i]!, s3[i]!);
        v += mul(mdsInv[j * M + i]!, d[i]!);
      }
      v %= P;
      out[n++] = (mul(mul(v, v), v) + P - (u % P)) % P;
    }
    const notLast = (1 + P - per[PER.last]!) % P;
    for (let j = 0; j < M; j++) out[n++] = mul(notLast, cur[COL.aux + j]!);

    const a = (j: number) => cur[COL.aux + j]!;
    const sn = (j: number) => next[j]!;
    const gate = (s: number, x: number) => {
      out[n++] = mul(per[PER.sel + s]!, x);
    };
    const capacityIs = (s: number, iv: readonly number[]) => {
      for (let j = 0; j < 8; j++) gate(s, (sn(8 + j) + P - iv[j]!) % P);
    };
    for (let i = 0; i < 2; i++) {
      const s = i === 0 ? SEL.pk0 : SEL.pk1;
      const sk = COL.sk[i as 0 | 1];
      for (let j = 0; j < 4; j++) gate(s, (sn(j) + P - cur[sk + j]!) % P);
      for (let j = 4; j < 8; j++) gate(s, sn(j));
      capacityIs(s, ivPk);
    }
    for (let j = 0; j < 8; j++) gate(SEL.cm1In, a(j));
    capacityIs(SEL.cm1In, ivCm);
    const cm2 = [SEL.cm2In0, SEL.cm2In1, SEL.cm2Out0, SEL.cm2Out1];
    for (let t = 0; t < NOTES; t++) {
      const s = cm2[t]!;
      for (let j = 0; j < 4; j++)
        gate(s, (a(j) + (t < 2 ? cur[COL.rho[t as 0 | 1] + j]! : rhoOut[4 * (t - 2) + j]!)) % P);
      for (let l = 0; l < 3; l++) gate(s, (a(4 + l) + cur[COL.value + 3 * t + l]!) % P);
      for (let j = 8; j < 16; j++) gate(s, a(j));
    }
    for (let j = 3; j < 16; j++) gate(SEL.cm3, a(j));
    const b = cur[COL.dir]!;
    for (let j = 0; j < 8; j++)
      gate(SEL.merkle, (mul(b, (sn(8 + j) + 3 * P - sn(j) - 2 * a(j)) % P) + a(j)) % P);
    gate(SEL.merkle, mul(b, (1 + P - b) % P));
    for (let i = 0; i < 2; i++) {
      const s = i === 0 ? SEL.root0 : SEL.root1;
      const flag = cur[COL.flag[i as 0 | 1]]!;
      for (let j = 0; j < 8; j++) gate(s, mul(flag, (o[j]! + P - k.root[j]!) % P));
      for (let j = 0; j < 4; j++) gate(s, (sn(j) + P - cur[COL.sk[i as 0 | 1] + j]!) % P);
      for (let j = 0; j < 4; j++) gate(s, (sn(4 + j) + P - cur[COL.rho[i as 0 | 1] + j]!) % P);
      capacityIs(s, ivNf);
    }
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 8; j++) gate(i === 0 ? SEL.nf0 : SEL.nf1, (o[j]! + P - k.nullifiers[i]![j]!) % P);
    capacityIs(SEL.cm1Out, ivCm);
    for (let t = 0; t < 2; t++)
      for (let j = 0; j < 8; j++)
        gate(t === 0 ? SEL.cmOut0 : SEL.cmOut1, (o[j]! + P - k.commitments[t]![j]!) % P);

    for (let col = COL.sk[0]; col < COL.acc; col++) out[n++] = (next[col]! + P - cur[col]!) % P;
    for (let i = 0; i < 2; i++) {
      const flag = cur[COL.flag[i as 0 | 1]]!;
      out[n++] = mul(flag, (1 + P - flag) % P);
      const notFlag = (1 + P - flag) % P;
      for (let l = 0; l < 3; l++) out[n++] = mul(notFlag, cur[COL.value + 3 * i + l]!);
    }

    const limbSum = (l: number) => {
      const v = (t: number) => cur[COL.value + 3 * t + l]!;
      return (pubLimbs[l]! + v(0) + v(1) + 2 * P - v(2) - v(3)) % P;
    };
    const c0 = cur[COL.carry]!;
    const c1 = cur[COL.carry + 1]!;
    out[n++] = (limbSum(0) + neg(mul(lb, c0))) % P;
    out[n++] = (limbSum(1) + c0 + neg(mul(lb, c1))) % P;
    out[n++] = (limbSum(2) + c1) % P;

    const rAcc = per[PER.range + RANGE.acc]!;
    const rReset = per[PER.range + RANGE.reset]!;
    for (let j = 0; j < 14; j++) {
      const acc = cur[COL.acc + j]!;
      const accNext = next[COL.acc + j]!;
      const bit = (accNext + 2 * P - 2 * acc) % P;
      out[n++] = mul(rAcc, mul(bit, (bit + P - 1) % P));
      out[n++] = mul(rReset, mul(accNext, (accNext + P - 1) % P));
      if (j < 12) {
        const end = per[PER.range + (LIMB_BITS[j % 3] === 22 ? RANGE.end22 : RANGE.end20)]!;
        out[n++] = mul(end, (acc + P - cur[COL.value + j]!) % P);
      } else {
        const target = (cur[COL.carry + j - 12]! + CARRY_OFFSET) % P;
        out[n++] = mul(per[PER.range + RANGE.end4]!, (acc + P - target) % P);
      }
    }
  };
}
