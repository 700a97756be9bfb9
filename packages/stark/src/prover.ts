import { type Air, findViolation } from "./air.js";
import { commitRows, openedSalts } from "./commit.js";
import { compositionLayout, evaluateComposition, splitComposition } from "./composition.js";
import { deepOnLde } from "./deep.js";
import { DOMAIN_SHIFT } from "./domain.js";
import { StarkError } from "./errors.js";
import { type Ext, eEq, eMul, ePow } from "./ext.js";
import { dotBaseExt, dotExtExt, type ExtVec, extPowers } from "./ext-vec.js";
import { P, rootOfUnity } from "./field.js";
import { friCommit, friOpen } from "./fri.js";
import { intt, ldeFromCoeffs } from "./ntt.js";
import { checkParams, DEFAULT_PARAMS, friDegreeLogs, type StarkParams } from "./params.js";
import { PROOF_VERSION, type StarkProof } from "./proof.js";
import { openTranscript, TAG } from "./protocol.js";
import { checkZkRoom, type RandomSource, randomFieldElements, randomizeTrace, systemRandom } from "./zk.js";

export interface ProveOptions {
  params?: StarkParams;
  /**
   * Test hook: prove even when the trace violates the constraints, so soundness tests can check
   * that the verifier rejects such a proof. Never set it elsewhere.
   */
  skipWitnessCheck?: boolean;
  /** Called after each prover phase with its duration (the bench prints the breakdown). */
  onPhase?: (phase: string, ms: number) => void;
  /** Randomness for zero-knowledge mode (default: the platform CSPRNG). Unused without ZK. */
  random?: RandomSource;
}

/** Largest trace a prover accepts (rows × columns cells); the service bounds it further. */
export const MAX_TRACE_CELLS = 2 ** 24;

export function prove(air: Air, trace: readonly Uint32Array[], opts: ProveOptions = {}): StarkProof {
  const params = opts.params ?? DEFAULT_PARAMS;
  checkParams(params);
  checkShape(air, trace, params);
  const layout = compositionLayout(air, params);
  if (!opts.skipWitnessCheck) {
    const bad = findViolation(air, trace, layout.tail);
    if (bad) throw new StarkError("BAD_WITNESS", `trace violates the ${air.id} constraints`, bad);
  }
  const random = params.zk ? (opts.random ?? systemRandom) : undefined;
  const n = air.traceLength;
  const logN = Math.log2(n);
  const { blowupLog } = params;
  let t0 = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    opts.onPhase?.(name, t - t0);
    t0 = t;
  };
  const tr = openTranscript(air, params);

  // 1. Trace (randomized tail in ZK mode): interpolate, extend to the coset domain, commit rows.
  phase("witness-check");
  const committed = random ? randomizeTrace(trace, params, random) : trace;
  const traceCoeffs = committed.map((col) => intt(Uint32Array.from(col)));
  const traceLde = traceCoeffs.map((c) => ldeFromCoeffs(c, blowupLog, DOMAIN_SHIFT));
  const size = n << blowupLog;
  phase("trace-lde");
  const traceCommit = commitRows(
    size,
    air.width,
    (i, buf) => {
      for (let c = 0; c < air.width; c++) buf[c] = traceLde[c]![i]!;
    },
    random,
  );
  tr.absorb(TAG.traceRoot, traceCommit.tree.root());
  phase("trace-commit");

  // 2. Constraint composition with random coefficients α^k, split into (masked) chunks of degree < n.
  const alpha = tr.challengeExt();
  const alphas = powers(alpha, air.numTransitionConstraints + air.boundary.length);
  const h = evaluateComposition(air, traceLde, blowupLog, alphas, layout);
  phase("constraints");
  const masks =
    random && layout.maskLength > 0 ? randomExtPolys(layout.chunks - 1, layout.maskLength, random) : [];
  const comp = splitComposition(h, n, layout, blowupLog, !opts.skipWitnessCheck, masks);
  // ZK batch randomizer R: uniform of degree < n, committed beside the chunks (deep.ts).
  const randomizer = random ? extLde(randomExtPolys(1, n, random)[0]!, blowupLog) : undefined;
  const chunks = layout.chunks;
  const compWords = 4 * chunks + (randomizer ? 4 : 0);
  phase("composition-split");
  const compCommit = commitRows(
    size,
    compWords,
    (i, buf) => {
      for (let k = 0; k < chunks; k++) for (let c = 0; c < 4; c++) buf[4 * k + c] = comp.lde[k]![c]![i]!;
      if (randomizer) for (let c = 0; c < 4; c++) buf[4 * chunks + c] = randomizer[c]![i]!;
    },
    random,
  );
  tr.absorb(TAG.compositionRoot, compCommit.tree.root());
  phase("composition-commit");

  // 3. Out-of-domain point z (outside the trace and LDE domains) and the claimed values there.
  const z = drawOodPoint(tr, n, size);
  const g = rootOfUnity(logN);
  const zPows = extPowers(z, n);
  const gzPows = extPowers(z, n, g);
  const oodTrace = traceCoeffs.map((c) => dotBaseExt(c, zPows));
  const oodTraceNext = traceCoeffs.map((c) => dotBaseExt(c, gzPows));
  const oodComposition = comp.coeffs.map((c) => dotExtExt(c, zPows));
  tr.absorbExt(TAG.ood, [...oodTrace, ...oodTraceNext, ...oodComposition]);
  phase("ood");

  // 4. DEEP composition and FRI.
  const gamma = tr.challengeExt();
  const deep = deepOnLde(
    traceLde,
    comp.lde,
    { z, gamma, oodTrace, oodTraceNext, oodComposition },
    logN,
    blowupLog,
    randomizer,
  );
  const degreeLogs = friDegreeLogs(logN, params);
  phase("deep");
  const fri = friCommit(deep, degreeLogs, params.foldLog, tr);
  phase("fri");

  // 5. Grinding, then queries.
  const powNonce = tr.grind(params.grindingBits);
  tr.absorb(TAG.pow, [powNonce]);
  phase("grinding");
  const queries = tr.challengeIndices(params.queries, logN + blowupLog);

  const traceRows = new Uint32Array(queries.length * air.width);
  const compRows = new Uint32Array(queries.length * compWords);
  queries.forEach((q, k) => {
    for (let c = 0; c < air.width; c++) traceRows[k * air.width + c] = traceLde[c]![q]!;
    for (let j = 0; j < chunks; j++)
      for (let c = 0; c < 4; c++) compRows[k * compWords + j * 4 + c] = comp.lde[j]![c]![q]!;
    if (randomizer) for (let c = 0; c < 4; c++) compRows[k * compWords + 4 * chunks + c] = randomizer[c]![q]!;
  });
  return {
    version: PROOF_VERSION,
    airId: air.id,
    logTraceLength: logN,
    params: { ...params },
    publicInputs: air.publicInputWords(),
    traceRoot: traceCommit.tree.root(),
    compositionRoot: compCommit.tree.root(),
    oodTrace,
    oodTraceNext,
    oodComposition,
    friRoots: fri.roots,
    friRemainder: fri.remainder,
    powNonce,
    traceRows,
    traceSalts: openedSalts(traceCommit, queries),
    traceProof: traceCommit.tree.prove(queries),
    compositionRows: compRows,
    compositionSalts: openedSalts(compCommit, queries),
    compositionProof: compCommit.tree.prove(queries),
    friLayers: friOpen(fri, queries, params.foldLog),
  };
}

/** `count` extension-field polynomials of `len` uniformly random coefficients each. */
function randomExtPolys(count: number, len: number, random: RandomSource): ExtVec[] {
  return Array.from({ length: count }, (): ExtVec => {
    const r = randomFieldElements(4 * len, random);
    return [r.subarray(0, len), r.subarray(len, 2 * len), r.subarray(2 * len, 3 * len), r.subarray(3 * len)];
  });
}

function extLde(coeffs: ExtVec, blowupLog: number): ExtVec {
  return [
    ldeFromCoeffs(coeffs[0], blowupLog, DOMAIN_SHIFT),
    ldeFromCoeffs(coeffs[1], blowupLog, DOMAIN_SHIFT),
    ldeFromCoeffs(coeffs[2], blowupLog, DOMAIN_SHIFT),
    ldeFromCoeffs(coeffs[3], blowupLog, DOMAIN_SHIFT),
  ];
}

export function powers(x: Ext, count: number): Ext[] {
  const out: Ext[] = [];
  let p: Ext = [1, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    out.push(p);
    p = eMul(p, x);
  }
  return out;
}

/** z must avoid the trace domain (z^n ≠ 1) and the LDE coset; hitting either has probability ~2^-100. */
export function drawOodPoint(tr: { challengeExt(): Ext }, n: number, size: number): Ext {
  const z = tr.challengeExt();
  const zn = ePow(z, n);
  const zs = ePow(z, size);
  if (eEq(zn, [1, 0, 0, 0]) || (zs[1] === 0 && zs[2] === 0 && zs[3] === 0))
    throw new StarkError("PROOF_INVALID", "out-of-domain point fell in a domain");
  return z;
}

function checkShape(air: Air, trace: readonly Uint32Array[], params: StarkParams): void {
  const n = air.traceLength;
  if (2 ** params.blowupLog < air.constraintDegree)
    throw new StarkError(
      "BAD_PARAMETERS",
      `blowup 2^${params.blowupLog} is below the AIR degree ${air.constraintDegree}`,
    );
  if (n * air.width > MAX_TRACE_CELLS)
    throw new StarkError("TRACE_TOO_LARGE", `trace of ${n}×${air.width} cells exceeds ${MAX_TRACE_CELLS}`);
  if (Math.log2(n) + params.blowupLog > 24)
    throw new StarkError("TRACE_TOO_LARGE", "evaluation domain exceeds KoalaBear's 2^24 two-adicity");
  if (trace.length !== air.width || trace.some((c) => c.length !== n))
    throw new StarkError("BAD_WITNESS", `trace must be ${air.width} columns of ${n} rows`);
  checkZkRoom(air, params);
  for (const col of trace)
    for (const v of col)
      if (v >= P) throw new StarkError("BAD_WITNESS", "trace value is not a field element");
}
