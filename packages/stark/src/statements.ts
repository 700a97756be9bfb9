import type { Air } from "./air.js";
import { FibonacciAir, fibonacciTrace } from "./airs/fibonacci.js";
import {
  MAX_CHAIN_HASHES,
  RescueChainAir,
  rescueChainTrace,
  rescueChainTraceLength,
} from "./airs/rescue-chain.js";
import { StarkError } from "./errors.js";
import { RESCUE } from "./rescue/params.js";

/**
 * The statements a caller can ask for by name: how to build the AIR from public inputs (verify),
 * and the AIR plus trace from prove-side inputs (public and private). Inputs arrive already
 * schema-checked by the zkp service; the AIR constructors check ranges again.
 */
export const AIR_NAMES = ["fibonacci", "rescue-chain"] as const;
export type AirName = (typeof AIR_NAMES)[number];

export interface FibonacciStatement {
  traceLength: number;
  result: number;
}
export interface RescueChainStatement {
  hashes: number;
  digest: number[];
  /** Present when the prover was asked to make the preimage public (RescueChainPublic). */
  preimage?: number[];
}

export type ProveInput =
  | { air: "fibonacci"; publicInputs: { traceLength: number }; privateInputs?: undefined }
  | {
      air: "rescue-chain";
      /** `publicPreimage`: the statement names the preimage too (a proof for this x). */
      publicInputs: { hashes: number; publicPreimage?: boolean };
      privateInputs: { preimage: number[] };
    };

export type Statement =
  | { air: "fibonacci"; publicInputs: FibonacciStatement }
  | { air: "rescue-chain"; publicInputs: RescueChainStatement };

/** Rows and columns the trace will have, known before any work: the service's size gate. */
export function traceShape(input: ProveInput): { rows: number; width: number } {
  if (input.air === "fibonacci") return { rows: input.publicInputs.traceLength, width: 2 };
  return { rows: rescueChainTraceLength(input.publicInputs.hashes), width: RESCUE.m + 4 };
}

export function airFor(s: Statement): Air {
  if (s.air === "fibonacci") return new FibonacciAir(s.publicInputs);
  if (s.air === "rescue-chain") return new RescueChainAir(s.publicInputs);
  throw new StarkError("UNKNOWN_AIR", `unknown AIR ${(s as { air: string }).air}`);
}

export function witnessFor(input: ProveInput): { air: Air; trace: Uint32Array[]; statement: Statement } {
  if (input.air === "fibonacci") {
    const n = input.publicInputs.traceLength;
    const trace = fibonacciTrace(n);
    const statement: Statement = {
      air: "fibonacci",
      publicInputs: { traceLength: n, result: trace[1]![n - 1]! },
    };
    return { air: airFor(statement), trace, statement };
  }
  if (input.air === "rescue-chain") {
    const { hashes } = input.publicInputs;
    if (!Number.isInteger(hashes) || hashes < 1 || hashes > MAX_CHAIN_HASHES)
      throw new StarkError("BAD_PARAMETERS", "hashes must be an integer in [1, 2^19 − 1]");
    const { trace, digest } = rescueChainTrace(input.privateInputs.preimage, hashes);
    const preimage = input.publicInputs.publicPreimage ? [...input.privateInputs.preimage] : undefined;
    const statement: Statement = {
      air: "rescue-chain",
      publicInputs: { hashes, digest, ...(preimage && { preimage }) },
    };
    return { air: airFor(statement), trace, statement };
  }
  throw new StarkError("UNKNOWN_AIR", `unknown AIR ${(input as { air: string }).air}`);
}
