import { COMPUTE_MAX_INPUT_BYTES, COMPUTE_MAX_RESULT_BYTES, ZKP_MAX_PROOF_BYTES } from "@p2pnode/types";
import { MAX_FUNCTION_ENCODING_BYTES } from "../compute.js";
import { CodecError } from "../errors.js";
import { type CborMap, readBytes } from "../fields.js";
import { checkBytes, checkText, checkUint, readBool, readBoundedText, readUint } from "./fields.js";

/*
 * Compute messages (codes 0x60–0x6f, services/compute/README.md "Jobs on peers"): a node tells
 * its peers how many jobs it takes (computeCapacity), a scheduler offers one job attempt
 * (computeJob, carrying the function's encoding so the worker verifies it by hashing), and the
 * worker answers it (computeResult: a value or deterministic error, a failure, or a refusal).
 */

export const COMPUTE_P2P_CODES = {
  computeCapacity: 0x60,
  computeJob: 0x61,
  computeResult: 0x62,
} as const;

/** Most job slots a node may advertise to one peer. */
export const MAX_COMPUTE_SLOTS = 1024;
/** Longest error code and message in a compute result. */
export const MAX_COMPUTE_CODE_CHARS = 40;
export const MAX_COMPUTE_MESSAGE_CHARS = 512;

/** What a proved job proves (0: nothing, replicas vote): the zkp service's AIRs. */
export const PROVED_KINDS = ["", "rescue-chain"] as const;
export type ProvedKind = (typeof PROVED_KINDS)[number];

export type ComputeResultStatus = "result" | "failed" | "refused";
const STATUS_CODES: ComputeResultStatus[] = ["result", "failed", "refused"];

export type ComputeP2pMessage =
  | { type: "computeCapacity"; slots: number }
  | {
      type: "computeJob";
      id: number;
      functionHash: Uint8Array;
      /** The function's canonical encoding (codec compute.ts): SHA-256 of it must be functionHash. */
      fn: Uint8Array;
      /** Canonical JSON of the input. */
      input: string;
      /** 16 bytes seeding Math.random, or empty. */
      seed: Uint8Array;
      memoryBytes: number;
      budget: number;
      deadlineMs: number;
      proved: ProvedKind;
    }
  | {
      type: "computeResult";
      id: number;
      status: ComputeResultStatus;
      /** For status "result": a value (`json`) or a deterministic error (`code`, `message`). */
      ok: boolean;
      json: string;
      code: string;
      message: string;
      instructions: number;
      ms: number;
      /** A STARK proof of the value (proved jobs), else empty. */
      proof: Uint8Array;
    };

type Of<T extends ComputeP2pMessage["type"]> = Extract<ComputeP2pMessage, { type: T }>;

const SLACK = 256;
const U32 = 0xffff_ffff;

export const COMPUTE_SPECS = {
  computeCapacity: {
    keys: ["slots"],
    maxBytes: 32,
    encode: (m: Of<"computeCapacity">) => ({
      slots: checkUint(m.slots, "computeCapacity.slots", MAX_COMPUTE_SLOTS),
    }),
    decode: (map: CborMap, what: string): Of<"computeCapacity"> => ({
      type: "computeCapacity",
      slots: readUint(map, "slots", what, MAX_COMPUTE_SLOTS),
    }),
  },
  computeJob: {
    keys: ["id", "functionHash", "fn", "input", "seed", "memoryBytes", "budget", "deadlineMs", "proved"],
    maxBytes: MAX_FUNCTION_ENCODING_BYTES + COMPUTE_MAX_INPUT_BYTES + SLACK,
    encode: (m: Of<"computeJob">) => ({
      id: checkUint(m.id, "computeJob.id", U32),
      functionHash: checkBytes(m.functionHash, "computeJob.functionHash", 32),
      fn: checkBytes(m.fn, "computeJob.fn", undefined, MAX_FUNCTION_ENCODING_BYTES),
      input: checkText(m.input, "computeJob.input", COMPUTE_MAX_INPUT_BYTES),
      seed: checkSeed(m.seed, "computeJob.seed", "ENCODE_INVALID"),
      memoryBytes: checkUint(m.memoryBytes, "computeJob.memoryBytes"),
      budget: checkUint(m.budget, "computeJob.budget"),
      deadlineMs: checkUint(m.deadlineMs, "computeJob.deadlineMs", U32),
      proved: PROVED_KINDS.indexOf(m.proved),
    }),
    decode: (map: CborMap, what: string): Of<"computeJob"> => {
      const proved = PROVED_KINDS[readUint(map, "proved", what, PROVED_KINDS.length - 1)]!;
      return {
        type: "computeJob",
        id: readUint(map, "id", what, U32),
        functionHash: readBytes(map, "functionHash", what, 32),
        fn: readBytes(map, "fn", what, undefined, MAX_FUNCTION_ENCODING_BYTES),
        input: readBoundedText(map, "input", what, COMPUTE_MAX_INPUT_BYTES),
        seed: checkSeed(readBytes(map, "seed", what, undefined, 16), `${what}.seed`, "DECODE_SCHEMA"),
        memoryBytes: readUint(map, "memoryBytes", what),
        budget: readUint(map, "budget", what),
        deadlineMs: readUint(map, "deadlineMs", what, U32),
        proved,
      };
    },
  },
  computeResult: {
    keys: ["id", "status", "ok", "json", "code", "message", "instructions", "ms", "proof"],
    maxBytes: COMPUTE_MAX_RESULT_BYTES + ZKP_MAX_PROOF_BYTES + MAX_COMPUTE_MESSAGE_CHARS * 4 + SLACK,
    encode: (m: Of<"computeResult">) => ({
      id: checkUint(m.id, "computeResult.id", U32),
      status: STATUS_CODES.indexOf(m.status),
      ok: m.ok === true,
      json: checkText(m.json, "computeResult.json", COMPUTE_MAX_RESULT_BYTES),
      code: checkText(m.code, "computeResult.code", MAX_COMPUTE_CODE_CHARS),
      message: checkText(m.message, "computeResult.message", MAX_COMPUTE_MESSAGE_CHARS),
      instructions: checkUint(m.instructions, "computeResult.instructions"),
      ms: checkUint(m.ms, "computeResult.ms", U32),
      proof: checkBytes(m.proof, "computeResult.proof", undefined, ZKP_MAX_PROOF_BYTES),
    }),
    decode: (map: CborMap, what: string): Of<"computeResult"> => ({
      type: "computeResult",
      id: readUint(map, "id", what, U32),
      status: STATUS_CODES[readUint(map, "status", what, STATUS_CODES.length - 1)]!,
      ok: readBool(map, "ok", what),
      json: readBoundedText(map, "json", what, COMPUTE_MAX_RESULT_BYTES),
      code: readBoundedText(map, "code", what, MAX_COMPUTE_CODE_CHARS),
      message: readBoundedText(map, "message", what, MAX_COMPUTE_MESSAGE_CHARS),
      instructions: readUint(map, "instructions", what),
      ms: readUint(map, "ms", what, U32),
      proof: readBytes(map, "proof", what, undefined, ZKP_MAX_PROOF_BYTES),
    }),
  },
};

function checkSeed(seed: unknown, what: string, code: "ENCODE_INVALID" | "DECODE_SCHEMA"): Uint8Array {
  if (!(seed instanceof Uint8Array) || (seed.length !== 0 && seed.length !== 16))
    throw new CodecError(code, `${what}: 16 bytes or none`);
  return seed;
}
