import {
  DEFAULT_PARAMS,
  encodeProof,
  PROVEN_PARAMS,
  type ProveInput,
  prove,
  securityOf,
  witnessFor,
} from "@p2pnode/stark";
import type { ZkpProofResult, ZkpSecurity, ZkpSpendWitness } from "@p2pnode/types";

/** A statement to prove (fibonacci, rescue-chain), or a wallet's shielded spend. */
export type ProveJobInput = { input: ProveInput; security: ZkpSecurity } | { spend: ZkpSpendWitness };

/** Builds the trace, proves and encodes: the whole job a worker thread runs. */
export function runProveJob(job: ProveJobInput): ZkpProofResult {
  if ("spend" in job) throw new Error("runProveJob: a spend job goes to runSpendJob");
  const { input, security } = job;
  const params = security === "proven" ? PROVEN_PARAMS : DEFAULT_PARAMS;
  const started = performance.now();
  const { air, trace, statement } = witnessFor(input);
  const proof = prove(air, trace, { params });
  const bytes = encodeProof(proof);
  const sec = securityOf(params, {
    logTraceLength: Math.log2(air.traceLength),
    constraintDegree: air.constraintDegree,
    numConstraints: air.numTransitionConstraints + air.boundary.length,
    width: air.width,
  });
  return {
    statement,
    proof: Buffer.from(bytes).toString("base64"),
    proofBytes: bytes.length,
    traceRows: air.traceLength,
    security: { conjecturedBits: sec.conjecturedBits, provenBits: sec.provenBits },
    proveMs: Math.round(performance.now() - started),
  };
}
