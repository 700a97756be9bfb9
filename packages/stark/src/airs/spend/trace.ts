import { StarkError } from "../../errors.js";
import { add, P, sub } from "../../field.js";
import { rescue16Params } from "../../rescue/params.js";
import { rescueRound } from "../../rescue/permutation.js";
import {
  checkWords,
  commitmentBlocks,
  DIGEST_WORDS,
  type Digest,
  KEY_WORDS,
  LEN_CM,
  LEN_NF,
  LEN_PK,
  merkleNode,
  noteCommitment,
  nullifierOf,
  outputRho,
  spendPk,
  spongeIv,
  TAG_CM,
  TAG_NF,
  TAG_PK,
} from "./hash.js";
import { COL, DEPTH, M, ROUNDS, TRACE_LENGTH, WIDTH } from "./layout.js";
import type { SpendStatement } from "./statement.js";
import { balanceCarries, CARRY_OFFSET, checkU64, LIMB_BITS, valueLimbs } from "./values.js";

/** An authentication path: siblings from the leaf level up; bit l of `position` = 1 for a right child. */
export interface MerklePath {
  siblings: readonly Digest[];
  position: number;
}

/** A note being spent, with the spending key; `real: false` makes a dummy (value 0, no tree check). */
export interface SpendInput {
  sk: readonly number[];
  value: bigint;
  rho: readonly number[];
  r: readonly number[];
  path: MerklePath;
  real: boolean;
}

/** A note being created for `pk`; its ρ is derived from the first nullifier. */
export interface SpendOutput {
  pk: Digest;
  value: bigint;
  r: readonly number[];
}

export interface SpendWitness {
  inputs: readonly [SpendInput, SpendInput];
  outputs: readonly [SpendOutput, SpendOutput];
  root: Digest;
  publicIn: bigint;
  publicOut: bigint;
  fee: bigint;
  txHash: Uint8Array;
}

/** The root a path leads to from `leaf`. */
export function pathRoot(leaf: Digest, path: MerklePath): Digest {
  if (
    path.siblings.length !== DEPTH ||
    !Number.isInteger(path.position) ||
    path.position < 0 ||
    path.position >= 2 ** DEPTH
  )
    throw new StarkError("BAD_WITNESS", `a path has ${DEPTH} siblings and a position below 2^${DEPTH}`);
  let node = leaf;
  for (let l = 0; l < DEPTH; l++) {
    const sib = path.siblings[l]!;
    node = bitAt(path.position, l) ? merkleNode(sib, node) : merkleNode(node, sib);
  }
  return node;
}

/**
 * Builds the spend trace and the statement it proves. Throws BAD_WITNESS for an invalid spend.
 * `unchecked` is a test hook: build the trace of an invalid spend anyway (amounts past 2^64,
 * unbalanced, notes outside the tree), so soundness tests can show the verifier refuses it.
 */
export function spendTrace(
  w: SpendWitness,
  opts: { unchecked?: boolean } = {},
): { trace: Uint32Array[]; statement: SpendStatement } {
  if (!opts.unchecked) checkWitness(w);
  const nullifiers = [
    nullifierOf(w.inputs[0].sk, w.inputs[0].rho),
    nullifierOf(w.inputs[1].sk, w.inputs[1].rho),
  ] as const;
  const rhoOut = [outputRho(nullifiers[0], 0), outputRho(nullifiers[0], 1)];
  const commitments = [0, 1].map((j) =>
    opts.unchecked
      ? rawCommitment(w.outputs[j]!, rhoOut[j]!)
      : noteCommitment(w.outputs[j]!.pk, w.outputs[j]!.value, rhoOut[j]!, w.outputs[j]!.r),
  );
  const trace = Array.from({ length: WIDTH }, () => new Uint32Array(TRACE_LENGTH));
  const limbs = opts.unchecked ? rawLimbs : valueLimbs;
  fillRegisters(trace, w, limbs);
  fillSlots(trace, slotSteps(w, rhoOut, limbs));
  const statement: SpendStatement = {
    root: w.root,
    nullifiers,
    commitments: [commitments[0]!, commitments[1]!],
    publicIn: w.publicIn,
    publicOut: w.publicOut,
    fee: w.fee,
    txHash: w.txHash,
  };
  return { trace, statement };
}

function checkWitness(w: SpendWitness): void {
  w.inputs.forEach((inp, i) => {
    checkWords(inp.sk, KEY_WORDS, "spending key");
    checkWords(inp.rho, KEY_WORDS, "rho");
    checkWords(inp.r, KEY_WORDS, "r");
    checkU64(inp.value, "input value");
    if (!inp.real && inp.value !== 0n)
      throw new StarkError("BAD_WITNESS", `dummy input ${i} must have value 0`);
    const cm = noteCommitment(spendPk(inp.sk), inp.value, inp.rho, inp.r);
    const root = pathRoot(cm, inp.path);
    if (inp.real && root.some((v, j) => v !== w.root[j]))
      throw new StarkError("BAD_WITNESS", `input ${i} does not open to the root`);
  });
  for (const out of w.outputs) {
    checkWords(out.pk, DIGEST_WORDS, "output owner");
    checkWords(out.r, KEY_WORDS, "r");
  }
  checkWords(w.root, DIGEST_WORDS, "root");
}

type Step = (o: number[]) => { next: number[]; dir?: number };
type Limbs = (v: bigint) => [number, number, number];

/** Limbs without the u64 check: the top limb may exceed 20 bits (test hook only). */
function rawLimbs(v: bigint): [number, number, number] {
  return [Number(v & 0x3fffffn), Number((v >> 22n) & 0x3fffffn), Number((v >> 44n) % BigInt(P))];
}

function blocks(
  rho: readonly number[],
  value: bigint,
  r: readonly number[],
  limbs: Limbs,
): [number[], number[]] {
  const [, b3] = commitmentBlocks(rho, 0n, r);
  return [[...rho, ...limbs(value), r[0]!], b3];
}

/** The commitment the trace computes for an output, over raw limbs (test hook only). */
function rawCommitment(out: SpendOutput, rho: readonly number[]): Digest {
  const rp = rescue16Params();
  let s = [...out.pk, ...spongeIv(LEN_CM, TAG_CM)];
  const perm = (x: number[]) =>
    Array.from({ length: ROUNDS }).reduce<number[]>((st, _, r) => rescueRound(st, r, rp), x);
  s = perm(s);
  for (const block of blocks(rho, out.value, out.r, rawLimbs))
    s = perm(s.map((v, j) => (j < 8 ? add(v, block[j]!) : v)));
  return s.slice(0, 8);
}

/** What the transition out of each slot 0..80 injects (the same schedule as layout.ts). */
function slotSteps(w: SpendWitness, rhoOut: number[][], limbs: Limbs): Step[] {
  const absorb = (block: readonly number[]) => (o: number[]) => ({
    next: o.map((v, j) => (j < 8 ? add(v, block[j]!) : v)),
  });
  const pkInput = (i: number) => () => ({
    next: [...w.inputs[i]!.sk, 0, 0, 0, 0, ...spongeIv(LEN_PK, TAG_PK)],
  });
  const cmOutInput = (j: number) => () => ({ next: [...w.outputs[j]!.pk, ...spongeIv(LEN_CM, TAG_CM)] });
  const steps: Step[] = [pkInput(0)];
  w.inputs.forEach((inp, i) => {
    const [b2, b3] = blocks(inp.rho, inp.value, inp.r, limbs);
    steps.push((o) => ({ next: [...o.slice(0, 8), ...spongeIv(LEN_CM, TAG_CM)] }), absorb(b2), absorb(b3));
    for (let l = 0; l < DEPTH; l++)
      steps.push((o) => {
        const cur = o.slice(0, 8);
        const sib = inp.path.siblings[l]!;
        const dir = bitAt(inp.path.position, l);
        return { next: dir ? [...sib, ...cur] : [...cur, ...sib], dir };
      });
    steps.push(() => ({ next: [...inp.sk, ...inp.rho, ...spongeIv(LEN_NF, TAG_NF)] }));
    steps.push(i === 0 ? pkInput(1) : cmOutInput(0));
  });
  w.outputs.forEach((out, j) => {
    const [b2, b3] = blocks(rhoOut[j]!, out.value, out.r, limbs);
    steps.push(absorb(b2), absorb(b3), j === 0 ? cmOutInput(1) : (o) => ({ next: o }));
  });
  return steps;
}

/** Runs a permutation per 8-row slot, writing states, AUX = output − next input, and DIR. */
function fillSlots(trace: Uint32Array[], steps: Step[]): void {
  const rp = rescue16Params();
  let s: number[] = new Array(M).fill(0);
  for (let k = 0; k * ROUNDS < TRACE_LENGTH; k++) {
    for (let r = 0; r < ROUNDS; r++) {
      const row = k * ROUNDS + r;
      for (let j = 0; j < M; j++) trace[COL.state + j]![row] = s[j]!;
      s = rescueRound(s, r, rp);
    }
    const last = k * ROUNDS + ROUNDS - 1;
    const { next, dir } = steps[k]?.(s) ?? { next: s };
    for (let j = 0; j < M; j++) trace[COL.aux + j]![last] = sub(s[j]!, next[j]!);
    if (dir !== undefined) trace[COL.dir]![last] = dir;
    s = next;
  }
}

/** Registers on every row, and the range-check accumulators repeated every 32 rows. */
function fillRegisters(trace: Uint32Array[], w: SpendWitness, limbs: Limbs): void {
  const put = (col: number, v: number) => {
    trace[col]!.fill(v);
  };
  w.inputs.forEach((inp, i) => {
    for (let j = 0; j < KEY_WORDS; j++) {
      put(COL.sk[i as 0 | 1] + j, inp.sk[j]!);
      put(COL.rho[i as 0 | 1] + j, inp.rho[j]!);
    }
    put(COL.flag[i as 0 | 1], inp.real ? 1 : 0);
  });
  const values = [w.inputs[0].value, w.inputs[1].value, w.outputs[0].value, w.outputs[1].value];
  const ins = [values[0]!, values[1]!, w.publicIn];
  const outs = [values[2]!, values[3]!, w.publicOut, w.fee];
  const carries = limbs === valueLimbs ? balanceCarries(ins, outs) : [0, 0];
  values.forEach((v, t) => {
    limbs(v).forEach((limb, l) => {
      put(COL.value + 3 * t + l, limb);
      fillAccumulator(trace[COL.acc + 3 * t + l]!, limb, LIMB_BITS[l]!);
    });
  });
  carries.forEach((c, k) => {
    put(COL.carry + k, (c + P) % P);
    fillAccumulator(trace[COL.acc + 12 + k]!, c + CARRY_OFFSET, 4);
  });
}

/** ACC at row r of each 32-row period: the top r + 1 of `bits` bits of x, then doubled up to row 21. */
function fillAccumulator(col: Uint32Array, x: number, bits: number): void {
  for (let base = 0; base < col.length; base += 32)
    for (let r = 0; r <= 21; r++)
      col[base + r] = r < bits ? Math.floor(x / 2 ** (bits - 1 - r)) : x * 2 ** (r - bits + 1);
}

function bitAt(x: number, l: number): number {
  return Math.floor(x / 2 ** l) % 2;
}
