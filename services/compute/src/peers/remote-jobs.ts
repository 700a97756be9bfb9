import { decodeFunction, toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import { CodedError, type RemoteAttempt, type RemoteJob } from "@p2pnode/types";
import type { ComputeErrorCode } from "../errors.js";
import type { SandboxPool } from "../sandbox/sandbox-pool.js";
import { type AttemptResult, attemptFromSandbox } from "../scheduler/transport.js";
import { RESCUE_CHAIN_HASH, runProved, type ZkpPort } from "./proved.js";

/** Devnet-only faults (POST /admin/debug/fault): a lying worker, a worker that tampers with proofs. */
export interface WorkerFaults {
  lie: boolean;
  tamperProofs: boolean;
}

/**
 * The worker side of jobs on peers: runs a job a peer offered (its gateway checked the function
 * bytes against the hash; we check again, since this is what runs) in the same sandbox pool as
 * local jobs, so the pool's bounded queue refuses with QUEUE_FULL when it is full.
 */
export class RemoteJobs {
  readonly faults: WorkerFaults = { lie: false, tamperProofs: false };

  constructor(private readonly m: { pool: SandboxPool; zkp: ZkpPort; log: Logger }) {}

  /** Job slots offered to peers: one running and one waiting per thread, none when unhealthy. */
  capacity(): number {
    return this.m.pool.healthy ? this.m.pool.opts.threads * 2 : 0;
  }

  async run(job: RemoteJob): Promise<RemoteAttempt> {
    const fn = Buffer.from(job.fn, "base64");
    if (toHex(sha256(fn)) !== job.functionHash)
      throw new CodedError<ComputeErrorCode>(
        "HASH_MISMATCH",
        "the function bytes do not hash to functionHash",
      );
    try {
      JSON.parse(job.input);
    } catch {
      throw new CodedError("VALIDATION_FAILED", "the input is not JSON");
    }
    let r: AttemptResult;
    if (job.proved === "rescue-chain") {
      if (job.functionHash !== RESCUE_CHAIN_HASH)
        throw new CodedError("VALIDATION_FAILED", "a proved job names its AIR's function hash");
      r = await runProved(this.m.zkp, job.input);
    } else r = await this.sandbox(fn, job);
    return this.toRemote(this.faulty(r));
  }

  private async sandbox(fn: Uint8Array, job: RemoteJob): Promise<AttemptResult> {
    const def = decodeFunction(fn);
    const o = await this.m.pool.run({
      source: def.source,
      input: job.input,
      seed: job.seed,
      // Never more than the function itself allows, whatever the offer says.
      limits: {
        memoryBytes: def.limits.memoryBytes,
        budget: Math.min(job.limits.budget, def.limits.budget),
        deadlineMs: Math.min(job.limits.deadlineMs, def.limits.timeoutMs),
      },
    });
    return attemptFromSandbox(o);
  }

  private faulty(r: AttemptResult): AttemptResult {
    if (r.kind !== "result") return r;
    if (this.faults.lie && r.outcome.ok) r = { ...r, outcome: { ok: true, json: `[${r.outcome.json}]` } };
    if (this.faults.tamperProofs && r.proof) {
      const bytes = Buffer.from(r.proof, "base64");
      const i = bytes.length >> 1;
      bytes[i] = (bytes[i] ?? 0) ^ 0x01;
      r = { ...r, proof: bytes.toString("base64") };
    }
    return r;
  }

  private toRemote(r: AttemptResult): RemoteAttempt {
    if (r.kind === "failed")
      return { kind: "failed", code: r.code.slice(0, 40), message: r.message.slice(0, 512) };
    return {
      kind: "result",
      ok: r.outcome.ok,
      ...(r.outcome.ok
        ? { json: r.outcome.json }
        : { code: r.outcome.code.slice(0, 40), message: r.outcome.message.slice(0, 512) }),
      instructions: r.instructions,
      ms: r.ms,
      ...(r.proof && { proof: r.proof }),
    };
  }
}
