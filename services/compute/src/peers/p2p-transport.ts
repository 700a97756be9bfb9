import { canonicalJson } from "@p2pnode/codec";
import type { Logger } from "@p2pnode/kit";
import type { RemoteAttempt, RemoteJob } from "@p2pnode/types";
import type { LocalTransport } from "../scheduler/local-transport.js";
import type { AttemptResult, JobSpec, WorkerInfo, WorkerTransport } from "../scheduler/transport.js";
import { RESCUE_CHAIN_DEFINITION, runProved, verifyProved, type ZkpPort } from "./proved.js";

/** What the transport needs of the gateway (NATS: gateway.v1.compute-*). */
export interface PeerPort {
  workers(): Promise<{ id: string; slots: number }[]>;
  offer(peer: string, job: RemoteJob, timeoutMs: number): Promise<RemoteAttempt>;
}

export interface P2PTransportModules {
  local: LocalTransport;
  peers: PeerPort;
  zkp: ZkpPort;
  log: Logger;
  /** The function's canonical encoding (sent with each job so the worker verifies it by hash). */
  functionBytes: (hash: string) => Uint8Array | undefined;
  /** A worker answered a proved job with a proof that does not verify. */
  onBadProof: (worker: string, reason: string) => void;
}

export interface P2PTransportOptions {
  /** How often the gateway is asked which peers take jobs. */
  refreshMs: number;
  /** Most jobs this scheduler gives one peer at once, whatever it advertises. */
  maxSlotsPerPeer: number;
  /** Added to a job's deadline for the offer's timeout (queue and transfer). */
  offerGraceMs: number;
}

export const defaultP2PTransportOptions: P2PTransportOptions = {
  refreshMs: 1_000,
  maxSlotsPerPeer: 8,
  offerGraceMs: 8_000,
};

/**
 * Workers = this node's sandbox pool plus the connected peers that advertise compute capacity
 * (asked of the gateway every `refreshMs`). A remote attempt is one computeJob offer through the
 * gateway; its answer is re-encoded as canonical JSON before anyone hashes it. Proved jobs are
 * checked here: an answer whose proof does not verify becomes PROOF_INVALID, never a vote.
 */
export class P2PTransport implements WorkerTransport {
  private remote: WorkerInfo[] = [];
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly m: P2PTransportModules,
    private readonly o: P2PTransportOptions = defaultP2PTransportOptions,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.refresh().finally(loop), this.o.refreshMs);
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async refresh(): Promise<void> {
    // A gateway that did not answer in time (busy relaying, or restarting) has not said the peers
    // are gone: keep the list it last gave. Emptying it left this node as the only worker for a
    // second, and a job that still needed another worker then failed its whole task
    // (INSUFFICIENT_WORKERS: the scheduler fails a job at once when no worker is left for it).
    const list = await this.m.peers.workers().catch((err: Error) => {
      this.m.log.debug({ err: err.message }, "compute workers not refreshed: keeping the last list");
      return undefined;
    });
    if (list === undefined || this.stopped) return;
    const next = list.map((w) => ({ id: w.id, slots: Math.min(w.slots, this.o.maxSlotsPerPeer) }));
    const key = (ws: WorkerInfo[]) => ws.map((w) => `${w.id}:${w.slots}`).join(",");
    if (key(next) === key(this.remote)) return;
    this.remote = next;
    this.m.log.info({ peers: next.length }, "compute workers changed");
    for (const l of this.listeners) l();
  }

  workers(): readonly WorkerInfo[] {
    return [...this.m.local.workers(), ...this.remote];
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run(workerId: string, job: JobSpec, signal: AbortSignal): Promise<AttemptResult> {
    const r = await this.attempt(workerId, job, signal);
    if (!job.proved || r.kind !== "result") return r;
    const v = await verifyProved(this.m.zkp, job.input, r).catch((err: Error) => ({
      ok: false as const,
      reason: `verification failed: ${err.message}`,
      ours: true,
    }));
    if (v.ok) return r;
    if (!("ours" in v)) this.m.onBadProof(workerId, v.reason);
    return { kind: "failed", code: "PROOF_INVALID", message: v.reason };
  }

  private attempt(workerId: string, job: JobSpec, signal: AbortSignal): Promise<AttemptResult> {
    if (workerId === this.m.local.workerId)
      return job.proved ? runProved(this.m.zkp, job.input) : this.m.local.run(workerId, job, signal);
    const fn = job.proved ? RESCUE_CHAIN_DEFINITION : this.m.functionBytes(job.functionHash);
    if (!fn)
      return Promise.resolve({
        kind: "failed",
        code: "UNKNOWN_FUNCTION",
        message: `function ${job.functionHash} is not stored here`,
      });
    return this.m.peers
      .offer(
        workerId,
        {
          functionHash: job.functionHash,
          fn: Buffer.from(fn).toString("base64"),
          input: job.input,
          ...(job.seed !== undefined && { seed: job.seed }),
          limits: job.limits,
          proved: job.proved ?? "",
        },
        job.limits.deadlineMs + this.o.offerGraceMs,
      )
      .then(fromRemote, (err: Error & { code?: string }) => ({
        kind: "failed" as const,
        code: err.code ?? "WORKER_UNAVAILABLE",
        message: err.message,
      }));
  }
}

/** A peer's answer as the scheduler votes on it: values re-encoded canonically (or refused). */
export function fromRemote(r: RemoteAttempt): AttemptResult {
  if (r.kind === "failed")
    return { kind: "failed", code: r.code, message: r.message, ...(r.refused && { refused: true }) };
  const base = {
    kind: "result" as const,
    instructions: r.instructions,
    ms: r.ms,
    ...(r.proof && { proof: r.proof }),
  };
  if (!r.ok)
    return { ...base, outcome: { ok: false, code: r.code ?? "FUNCTION_ERROR", message: r.message ?? "" } };
  try {
    return { ...base, outcome: { ok: true, json: canonicalJson(JSON.parse(r.json ?? "")) } };
  } catch {
    return { kind: "failed", code: "BAD_RESULT", message: "the worker's value is not JSON" };
  }
}
