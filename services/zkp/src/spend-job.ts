import { type PreparedSpend, proveSpend } from "@p2pnode/shielded";
import type { ZkpSpendWitness } from "@p2pnode/types";

/** The prover phases in order (stark prover.ts): progress is "phase k of PHASES.length". */
export const SPEND_PHASES = [
  "witness-check",
  "trace-lde",
  "trace-commit",
  "constraints",
  "composition-split",
  "composition-commit",
  "ood",
  "deep",
  "fri",
  "grinding",
] as const;

export interface SpendProofResult {
  proof: string;
  proofBytes: number;
  proveMs: number;
}

/**
 * Proves a wallet's spend with the shielded pool's parameters (zero knowledge), reporting each
 * finished prover phase. The witness was schema-checked; the AIR refuses an inconsistent one.
 */
export function runSpendJob(
  w: ZkpSpendWitness,
  onProgress: (p: { phase: string; done: number; total: number }) => void = () => {},
): SpendProofResult {
  const started = performance.now();
  const witness = {
    inputs: w.inputs.map((i) => ({ ...i, value: BigInt(i.value) })),
    outputs: w.outputs.map((o) => ({ ...o, value: BigInt(o.value) })),
    root: w.root,
    publicIn: BigInt(w.publicIn),
    publicOut: BigInt(w.publicOut),
    fee: BigInt(w.fee),
  } as unknown as PreparedSpend["witness"];
  let done = 0;
  const { proof } = proveSpend({ witness } as PreparedSpend, Buffer.from(w.txHash, "hex"), {
    onPhase: (phase) => onProgress({ phase, done: ++done, total: SPEND_PHASES.length }),
  });
  return {
    proof: Buffer.from(proof).toString("base64"),
    proofBytes: proof.length,
    proveMs: Math.round(performance.now() - started),
  };
}
