import { canonicalJson, toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import {
  CodedError,
  FieldElement,
  type ZkpProveRequest,
  type ZkpVerifyReply,
  type ZkpVerifyRequest,
} from "@p2pnode/types";
import { z } from "zod";
import type { AttemptResult } from "../scheduler/transport.js";

/*
 * Proved jobs: functions the zkp service can prove. A worker returns the value with a STARK
 * proof; the scheduler verifies it through its own zkp service and accepts it from one worker.
 * Today: the Rescue hash chain y = Hⁿ(x) (packages/stark, AIR "rescue-chain").
 */

/** A proved function's definition bytes: its name; the task's function hash is SHA-256 of them. */
export const RESCUE_CHAIN_DEFINITION = new TextEncoder().encode("p2pnode/compute-proved/v1:rescue-chain");
export const RESCUE_CHAIN_HASH = toHex(sha256(RESCUE_CHAIN_DEFINITION));

/** Hashes of one job: its trace of 8·(n+1) rows stays small enough to prove in seconds. */
export const MAX_PROVED_HASHES = 4_095;

export const RescueChainInput = z
  .object({
    preimage: z.array(FieldElement).length(4),
    hashes: z.number().int().min(1).max(MAX_PROVED_HASHES),
  })
  .strict();

/** The value of a job: the digest Hⁿ(x), four field elements. */
export const RescueChainValue = z.array(FieldElement).length(4);

export interface ZkpPort {
  prove(req: ZkpProveRequest): Promise<{ digest: number[]; proof: string; proveMs: number }>;
  verify(req: ZkpVerifyRequest): Promise<ZkpVerifyReply>;
}

export function isProvedFunction(hash: string): boolean {
  return hash === RESCUE_CHAIN_HASH;
}

/** Checks a proved task's inputs at submission (a typed 400 for a bad one). */
export function checkProvedInputs(inputs: unknown[]): void {
  inputs.forEach((v, i) => {
    const r = RescueChainInput.safeParse(v);
    if (!r.success)
      throw new CodedError(
        "VALIDATION_FAILED",
        `input ${i}: a rescue-chain job takes {preimage: 4 field elements, hashes: 1..${MAX_PROVED_HASHES}}`,
      );
  });
}

/** Worker side: proves the chain in this node's zkp service. */
export async function runProved(zkp: ZkpPort, input: string): Promise<AttemptResult> {
  const parsed = RescueChainInput.safeParse(JSON.parse(input));
  if (!parsed.success)
    return { kind: "failed", code: "VALIDATION_FAILED", message: "not a rescue-chain input" };
  const t0 = performance.now();
  const p = await zkp.prove({
    air: "rescue-chain",
    // The preimage is public: the proof is for this job's x, not for any x the worker likes.
    publicInputs: { hashes: parsed.data.hashes, publicPreimage: true },
    privateInputs: { preimage: parsed.data.preimage },
    wait: true,
  });
  return {
    kind: "result",
    outcome: { ok: true, json: canonicalJson(p.digest) },
    instructions: 0,
    ms: Math.round(performance.now() - t0),
    proof: p.proof,
  };
}

/**
 * Scheduler side: a proved job's answer counts only with a proof that verifies for its value;
 * anything else is PROOF_INVALID (the worker is reported and the job goes to another).
 */
export async function verifyProved(
  zkp: ZkpPort,
  input: string,
  r: Extract<AttemptResult, { kind: "result" }>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!r.outcome.ok) return { ok: false, reason: `a proved job answered an error (${r.outcome.code})` };
  if (!r.proof) return { ok: false, reason: "no proof with the value" };
  const value = RescueChainValue.safeParse(JSON.parse(r.outcome.json));
  if (!value.success) return { ok: false, reason: "the value is not a digest" };
  const { hashes, preimage } = RescueChainInput.parse(JSON.parse(input));
  const v = await zkp.verify({
    air: "rescue-chain",
    publicInputs: { hashes, digest: value.data, preimage },
    proof: r.proof,
  });
  return v.valid
    ? { ok: true }
    : { ok: false, reason: `${v.code ?? "INVALID"}: ${v.reason ?? ""}`.slice(0, 180) };
}
