import { type Air, EXT_OPS } from "./air.js";
import { leafDigests } from "./commit.js";
import { type CompositionLayout, compositionLayout, exemptionAt } from "./composition.js";
import { deepEvaluator } from "./deep.js";
import { DOMAIN_SHIFT, periodicAt } from "./domain.js";
import { StarkError } from "./errors.js";
import { type Ext, eAdd, eEq, eInv, eMul, ePow, eSub } from "./ext.js";
import { mul, pow, rootOfUnity, TWO_ADICITY } from "./field.js";
import { friVerify, TAG_FRI_REMAINDER, TAG_FRI_ROOT } from "./fri.js";
import { verifyMultiproof } from "./merkle.js";
import { checkParams, friDegreeLogs } from "./params.js";
import { PROOF_VERSION, type StarkProof } from "./proof.js";
import { openTranscript, TAG } from "./protocol.js";
import { drawOodPoint, powers } from "./prover.js";
import { securityOf } from "./security.js";
import { checkZkRoom, SALT_WORDS } from "./zk.js";

export interface VerifyOptions {
  /** Reject proofs whose parameters give fewer conjectured bits than this (default 96). */
  minConjecturedBits?: number;
}

function fail(message: string, details?: unknown): never {
  throw new StarkError("PROOF_INVALID", message, details);
}

/** Checks `proof` for `air`; returns normally when it verifies, throws a StarkError saying why not. */
export function verify(air: Air, proof: StarkProof, opts: VerifyOptions = {}): void {
  const params = proof.params;
  checkStatement(air, proof);
  checkParams(params);
  if (2 ** params.blowupLog < air.constraintDegree) fail("blowup is below the AIR degree");
  if (proof.logTraceLength + params.blowupLog > TWO_ADICITY)
    fail("evaluation domain exceeds the field's 2-adicity");
  const sec = securityOf(params, {
    logTraceLength: proof.logTraceLength,
    constraintDegree: air.constraintDegree,
    numConstraints: air.numTransitionConstraints + air.boundary.length,
    width: air.width,
  });
  const minBits = opts.minConjecturedBits ?? 96;
  if (sec.conjecturedBits < minBits) fail(`parameters give ${sec.conjecturedBits} bits, below ${minBits}`);

  try {
    checkZkRoom(air, params);
  } catch (e) {
    fail((e as Error).message);
  }
  const n = air.traceLength;
  const logN = proof.logTraceLength;
  const w = air.width;
  const layout = compositionLayout(air, params);
  const chunks = layout.chunks;
  const degreeLogs = friDegreeLogs(logN, params);
  const layers = degreeLogs.length - 1;
  if (
    proof.oodTrace.length !== w ||
    proof.oodTraceNext.length !== w ||
    proof.oodComposition.length !== chunks
  )
    fail("out-of-domain values have the wrong shape");
  if (proof.friRoots.length !== layers || proof.friLayers.length !== layers)
    fail("wrong number of FRI layers");
  if (proof.friRemainder.length !== 2 ** degreeLogs[layers]!) fail("wrong FRI remainder length");

  // Replay the transcript exactly as the prover ran it.
  const tr = openTranscript(air, params);
  tr.absorb(TAG.traceRoot, proof.traceRoot);
  const alpha = tr.challengeExt();
  tr.absorb(TAG.compositionRoot, proof.compositionRoot);
  const size = n << params.blowupLog;
  const z = drawOodPoint(tr, n, size);
  tr.absorbExt(TAG.ood, [...proof.oodTrace, ...proof.oodTraceNext, ...proof.oodComposition]);
  const gamma = tr.challengeExt();
  const betas: Ext[] = [];
  for (const root of proof.friRoots) {
    tr.absorb(TAG_FRI_ROOT, root);
    betas.push(tr.challengeExt());
  }
  tr.absorbExt(TAG_FRI_REMAINDER, proof.friRemainder);
  if (tr.powBits(proof.powNonce) < params.grindingBits)
    fail("proof-of-work nonce does not meet the grinding bits");
  tr.absorb(TAG.pow, [proof.powNonce]);
  const queries = tr.challengeIndices(params.queries, logN + params.blowupLog);

  checkOod(air, proof, z, alpha, layout);

  // Openings of the trace and composition commitments (salted leaves in ZK mode) at the queries.
  const q = queries.length;
  const zk = params.zk;
  const compWords = 4 * chunks + (zk ? 4 : 0);
  const saltWords = zk ? q * SALT_WORDS : 0;
  if (proof.traceRows.length !== q * w || proof.compositionRows.length !== q * compWords)
    fail("opened rows have the wrong shape");
  if (proof.traceSalts.length !== saltWords || proof.compositionSalts.length !== saltWords)
    fail("opened salts have the wrong shape");
  const logSize = logN + params.blowupLog;
  const tDig = leafDigests(proof.traceRows, w, zk ? proof.traceSalts : undefined, q);
  const cDig = leafDigests(proof.compositionRows, compWords, zk ? proof.compositionSalts : undefined, q);
  if (!verifyMultiproof(proof.traceRoot, logSize, queries, tDig, proof.traceProof))
    fail("trace opening does not match its commitment");
  if (!verifyMultiproof(proof.compositionRoot, logSize, queries, cDig, proof.compositionProof))
    fail("composition opening does not match its commitment");

  const deepAt = deepEvaluator(
    {
      z,
      gamma,
      oodTrace: proof.oodTrace,
      oodTraceNext: proof.oodTraceNext,
      oodComposition: proof.oodComposition,
    },
    w,
    chunks,
    logN,
    zk,
  );
  const wN = rootOfUnity(logSize);
  const expected = new Map<number, Ext>();
  const r = proof.compositionRows;
  const extAt = (b: number): Ext => [r[b]!, r[b + 1]!, r[b + 2]!, r[b + 3]!];
  queries.forEach((i, k) => {
    const row = proof.traceRows.subarray(k * w, (k + 1) * w);
    const comp: Ext[] = [];
    for (let j = 0; j < chunks; j++) comp.push(extAt(k * compWords + j * 4));
    const randomizer = zk ? extAt(k * compWords + 4 * chunks) : undefined;
    expected.set(i, deepAt(mul(DOMAIN_SHIFT, pow(wN, i)), row, comp, randomizer));
  });
  if (
    !friVerify(expected, proof.friRoots, betas, proof.friLayers, proof.friRemainder, logSize, params.foldLog)
  )
    fail("FRI low-degree test failed");
}

function checkStatement(air: Air, proof: StarkProof): void {
  if (proof.version !== PROOF_VERSION)
    throw new StarkError("PROOF_MALFORMED", `unsupported proof version ${proof.version}`);
  if (proof.airId !== air.id)
    throw new StarkError("AIR_MISMATCH", `proof is for ${proof.airId}, not ${air.id}`);
  if (2 ** proof.logTraceLength !== air.traceLength)
    throw new StarkError(
      "AIR_MISMATCH",
      `proof is for 2^${proof.logTraceLength} rows, the statement has ${air.traceLength}`,
    );
  const pub = air.publicInputWords();
  if (pub.length !== proof.publicInputs.length || pub.some((v, i) => v !== proof.publicInputs[i]))
    fail("proof was made for different public inputs");
}

/** H(z) from the chunks must equal the constraint composition recomputed from T(z), T(gz). */
function checkOod(air: Air, proof: StarkProof, z: Ext, alpha: Ext, layout: CompositionLayout): void {
  const n = air.traceLength;
  const g = rootOfUnity(Math.log2(n));
  const nT = air.numTransitionConstraints;
  const alphas = powers(alpha, nT + air.boundary.length);
  const per = air.periodicColumns.map((col) => periodicAt(col, ePow(z, n / col.length)));
  const out: Ext[] = new Array(nT).fill([0, 0, 0, 0]);
  air.evalTransition(EXT_OPS, proof.oodTrace, proof.oodTraceNext, per, out);
  let acc: Ext = [0, 0, 0, 0];
  for (let t = 0; t < nT; t++) acc = eAdd(acc, eMul(alphas[t]!, out[t]!));
  const zn = ePow(z, n);
  const zerofierInv = eMul(exemptionAt(z, n, layout.tail), eInv(eSub(zn, [1, 0, 0, 0])));
  let h = eMul(acc, zerofierInv);
  air.boundary.forEach((c, k) => {
    const num = eSub(proof.oodTrace[c.column]!, [c.value, 0, 0, 0]);
    h = eAdd(h, eMul(eMul(alphas[nT + k]!, num), eInv(eSub(z, [pow(g, c.row), 0, 0, 0]))));
  });
  // H(z) = Σ_k z^{k·stride}·H'_k(z)
  const zs = ePow(z, layout.stride);
  let claimed: Ext = [0, 0, 0, 0];
  let zk: Ext = [1, 0, 0, 0];
  for (let k = 0; k < layout.chunks; k++) {
    claimed = eAdd(claimed, eMul(zk, proof.oodComposition[k]!));
    zk = eMul(zk, zs);
  }
  if (!eEq(h, claimed)) fail("out-of-domain constraint check failed");
}
