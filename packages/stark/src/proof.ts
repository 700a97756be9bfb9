import type { Ext } from "./ext.js";
import type { FriLayerOpening } from "./fri.js";
import type { StarkParams } from "./params.js";

/** 2: the zk parameter, leaf salts and the ZK batch randomizer column. */
export const PROOF_VERSION = 2;

/** A STARK proof, as the prover builds it and the codec (proof-codec.ts) serializes it. */
export interface StarkProof {
  version: number;
  airId: string;
  logTraceLength: number;
  params: StarkParams;
  /** The AIR's public input words, so a verifier can tell "wrong statement" from "bad proof". */
  publicInputs: number[];
  traceRoot: Uint32Array;
  compositionRoot: Uint32Array;
  /** T_j(z), T_j(g·z) for every trace column, H_k(z) for every composition chunk. */
  oodTrace: Ext[];
  oodTraceNext: Ext[];
  oodComposition: Ext[];
  friRoots: Uint32Array[];
  friRemainder: Ext[];
  powNonce: number;
  /** Opened rows at the distinct sorted query indices, row-major. */
  traceRows: Uint32Array;
  /** ZK mode: the 4-word salt of each opened trace leaf (empty otherwise). */
  traceSalts: Uint32Array;
  traceProof: Uint32Array;
  /** Per query: 4 words per composition chunk, then 4 words of the batch randomizer R in ZK mode. */
  compositionRows: Uint32Array;
  compositionSalts: Uint32Array;
  compositionProof: Uint32Array;
  friLayers: FriLayerOpening[];
}
