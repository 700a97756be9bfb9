import type { JobOutcome } from "@p2pnode/codec";
import type { SandboxOutcome } from "../sandbox/sandbox.js";

/*
 * The seam between the scheduler and whoever runs jobs. Today: LocalTransport (this node's
 * sandbox pool) and SimTransport (simulated workers for the sim tier). The P2P transport (jobs
 * offered to peers through the gateway) implements the same interface.
 */

/** One run of one job on one worker. */
export interface JobSpec {
  /** Unique per attempt; a transport echoes it to match answers to requests. */
  attemptId: string;
  taskId: string;
  jobIndex: number;
  /** The worker fetches the source by this hash (locally or from the DHT) and checks it. */
  functionHash: string;
  /** Canonical JSON of the input. */
  input: string;
  /** 32 hex characters seeding Math.random; absent when the task has no seed. */
  seed?: string;
  limits: { memoryBytes: number; budget: number; deadlineMs: number };
  /** A proved job (peers/proved.ts): the answer carries a STARK proof, checked before it counts. */
  proved?: "rescue-chain";
}

/**
 * What came back. `result` is a value or a deterministic error: the scheduler hashes its
 * canonical encoding itself and votes. `failed` (timeout, crash, refusal, unreachable) says
 * nothing about the answer and makes the scheduler retry.
 */
export type AttemptResult =
  | { kind: "result"; outcome: JobOutcome; instructions: number; ms: number; proof?: string }
  | { kind: "failed"; code: string; message: string; refused?: boolean };

/**
 * A sandbox run as an attempt: a value or a deterministic error is a result the scheduler votes
 * on; anything else (timeout, crash) failed and is retried. Local and peer jobs map it alike.
 */
export function attemptFromSandbox(o: SandboxOutcome): AttemptResult {
  if (o.ok)
    return { kind: "result", outcome: { ok: true, json: o.json }, instructions: o.instructions, ms: o.ms };
  if (o.deterministic)
    return {
      kind: "result",
      outcome: { ok: false, code: o.code, message: o.message },
      instructions: o.instructions,
      ms: o.ms,
    };
  return { kind: "failed", code: o.code, message: o.message };
}

export interface WorkerInfo {
  /** Stable id: the peer's NodeId for remote workers, "local" for this node. */
  id: string;
  /** Jobs it takes from this scheduler at once. */
  slots: number;
  /** This node itself: its answers anchor a quorum like an experienced worker's. */
  self?: boolean;
}

export interface WorkerTransport {
  /** Workers usable now (for P2P: connected peers that advertise compute capacity). */
  workers(): readonly WorkerInfo[];
  /**
   * Runs one attempt. Must settle; the scheduler also aborts `signal` at its per-attempt deadline
   * and then counts the attempt as a timeout whatever arrives later.
   */
  run(workerId: string, job: JobSpec, signal: AbortSignal): Promise<AttemptResult>;
  /** Subscribes to changes of the worker set or capacity; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}
