import { type Air, findViolation } from "./air.js";
import { compositionChunks, evaluateComposition, splitComposition } from "./composition.js";
import { deepOnLde } from "./deep.js";
import { DOMAIN_SHIFT } from "./domain.js";
import { StarkError } from "./errors.js";
import { type Ext, eEq, eMul, ePow } from "./ext.js";
import { dotBaseExt, dotExtExt, extPowers } from "./ext-vec.js";
import { P, rootOfUnity } from "./field.js";
import { friCommit, friOpen } from "./fri.js";
import { MerkleTree } from "./merkle.js";
import { intt, ldeFromCoeffs } from "./ntt.js";
import { checkParams, DEFAULT_PARAMS, friDegreeLogs, type StarkParams } from "./params.js";
import { PROOF_VERSION, type StarkProof } from "./proof.js";
import { openTranscript, TAG } from "./protocol.js";

export interface ProveOptions {
  params?: StarkParams;
  /**
   * Test hook: prove even when the trace violates the constraints, so soundness tests can check
   * that the verifier rejects such a proof. Never set it elsewhere.
   */
  skipWitnessCheck?: boolean;
  /** Called after each prover phase with its duration (the bench prints the breakdown). */
  onPhase?: (phase: string, ms: number) => void;
}

/** Largest trace a prover accepts (rows × columns cells); the service bounds it further. */
export const MAX_TRACE_CELLS = 2 ** 24;

export function prove(air: Air, trace: readonly Uint32Array[], opts: ProveOptions = {}): StarkProof {
  const params = opts.params ?? DEFAULT_PARAMS;
  checkParams(params);
  checkShape(air, trace, params);
  if (!opts.skipWitnessCheck) {
    const bad = findViolation(air, trace);
    if (bad) throw new StarkError("BAD_WITNESS", `trace violates the ${air.id} constraints`, bad);
  }
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

  // 1. Trace: interpolate, extend to the coset domain, commit rows.
  phase("witness-check");
  const traceCoeffs = trace.map((col) => intt(Uint32Array.from(col)));
  const traceLde = traceCoeffs.map((c) => ldeFromCoeffs(c, blowupLog, DOMAIN_SHIFT));
  const size = n << blowupLog;
  phase("trace-lde");
  const traceTree = MerkleTree.build(size, air.width, (i, buf) => {
    for (let c = 0; c < air.width; c++) buf[c] = traceLde[c]![i]!;
  });
  tr.absorb(TAG.traceRoot, traceTree.root());
  phase("trace-commit");

  // 2. Constraint composition with random coefficients α^k, split into degree-<n chunks.
  const alpha = tr.challengeExt();
  const alphas = powers(alpha, air.numTransitionConstraints + air.boundary.length);
  const h = evaluateComposition(air, traceLde, blowupLog, alphas);
  phase("constraints");
  const chunks = compositionChunks(air);
  const comp = splitComposition(h, n, chunks, blowupLog, !opts.skipWitnessCheck);
  phase("composition-split");
  const compTree = MerkleTree.build(size, 4 * chunks, (i, buf) => {
    for (let k = 0; k < chunks; k++) for (let c = 0; c < 4; c++) buf[4 * k + c] = comp.lde[k]![c]![i]!;
  });
  tr.absorb(TAG.compositionRoot, compTree.root());
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
  const compRows = new Uint32Array(queries.length * 4 * chunks);
  queries.forEach((q, k) => {
    for (let c = 0; c < air.width; c++) traceRows[k * air.width + c] = traceLde[c]![q]!;
    for (let j = 0; j < chunks; j++)
      for (let c = 0; c < 4; c++) compRows[(k * chunks + j) * 4 + c] = comp.lde[j]![c]![q]!;
  });
  return {
    version: PROOF_VERSION,
    airId: air.id,
    logTraceLength: logN,
    params: { ...params },
    publicInputs: air.publicInputWords(),
    traceRoot: traceTree.root(),
    compositionRoot: compTree.root(),
    oodTrace,
    oodTraceNext,
    oodComposition,
    friRoots: fri.roots,
    friRemainder: fri.remainder,
    powNonce,
    traceRows,
    traceProof: traceTree.prove(queries),
    compositionRows: compRows,
    compositionProof: compTree.prove(queries),
    friLayers: friOpen(fri, queries, params.foldLog),
  };
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
  for (const col of trace)
    for (const v of col)
      if (v >= P) throw new StarkError("BAD_WITNESS", "trace value is not a field element");
}
