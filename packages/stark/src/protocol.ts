import type { Air } from "./air.js";
import { paramWords, type StarkParams } from "./params.js";
import { Transcript } from "./transcript.js";

/** Domain tag of the transcript; bumping the proof version changes it. */
export const TRANSCRIPT_DOMAIN = "p2pnode/stark/v1";

export const TAG = {
  params: 0x50524d53, // "PRMS"
  air: 0x41495220, // "AIR "
  publicInputs: 0x50554249, // "PUBI"
  traceRoot: 0x54524345, // "TRCE"
  compositionRoot: 0x434d5053, // "CMPS"
  ood: 0x4f4f4456, // "OODV"
  pow: 0x504f5720, // "POW "
} as const;

/**
 * The transcript both sides start from: domain tag and version, every parameter, the AIR id and
 * shape, and all public inputs — before any challenge, so that no part of the statement can be
 * changed after the fact (the "Frozen Heart" class of bug).
 */
export function openTranscript(air: Air, params: StarkParams): Transcript {
  const tr = new Transcript(TRANSCRIPT_DOMAIN);
  tr.absorb(TAG.params, paramWords(params));
  tr.absorbBytes(TAG.air, new TextEncoder().encode(air.id));
  tr.absorb(TAG.air, [air.traceLength, air.width, air.constraintDegree, air.numTransitionConstraints]);
  tr.absorb(TAG.publicInputs, air.publicInputWords());
  return tr;
}
