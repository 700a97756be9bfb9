import { type ComputeP2pMessage, MAX_COMPUTE_SLOTS, type P2pMessage, toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import type { RemoteAttempt, RemoteJob } from "@p2pnode/types";
import type { Peer } from "./peer.js";
import type { ScoreKind } from "./scoring.js";

type Msg<T extends ComputeP2pMessage["type"]> = Extract<ComputeP2pMessage, { type: T }>;

export interface ComputeRelayModules {
  peers: () => Iterable<Peer>;
  peer: (id: string) => Peer | undefined;
  penalise: (peer: Peer, kind: ScoreKind, detail: string) => void;
  log: Logger;
}

/** This node's compute service runs a job a peer offered (set by the service edge: NATS). */
export type LocalRunner = (from: string, job: RemoteJob) => Promise<RemoteAttempt>;

/** The compute service repeats its capacity every 2 s; after this long without it, we offer none. */
const CAPACITY_STALE_MS = 7_000;

const COMPUTE_TYPES = new Set<P2pMessage["type"]>(["computeCapacity", "computeJob", "computeResult"]);

interface Offer {
  peer: Peer;
  resolve: (r: RemoteAttempt) => void;
  timer: NodeJS.Timeout;
}

/**
 * Compute messages between peers (codes 0x60–0x6f). As a scheduler's relay: offers job attempts
 * to peers that advertise capacity and matches their results to the offers. As a worker's relay:
 * advertises this node's capacity, refuses jobs beyond it with a reason, checks each job's
 * function bytes against its hash before the compute service sees it, and sends the answer back.
 */
export class ComputeRelay {
  /** Slots this node's compute service offers (0 when it has gone quiet). */
  private localSlots = 0;
  private localSeenAt = 0;
  private readonly advertised = new WeakMap<Peer, number>();
  /** Jobs each peer has running with us now. */
  private readonly serving = new WeakMap<Peer, number>();
  private readonly offers = new Map<number, Offer>();
  private nextId = 1;
  private readonly staleTimer: NodeJS.Timeout;
  runLocal: LocalRunner | undefined;

  constructor(private readonly m: ComputeRelayModules) {
    this.staleTimer = setInterval(() => {
      if (this.localSlots > 0 && Date.now() - this.localSeenAt > CAPACITY_STALE_MS) this.setLocalSlots(0);
    }, 1_000);
    this.staleTimer.unref();
  }

  /** Handles a compute message; false for every other type. */
  handle(peer: Peer, msg: P2pMessage): boolean {
    if (!COMPUTE_TYPES.has(msg.type)) return false;
    const m = msg as ComputeP2pMessage;
    if (m.type === "computeCapacity") this.advertised.set(peer, m.slots);
    else if (m.type === "computeJob") void this.serve(peer, m);
    else this.answered(peer, m);
    return true;
  }

  onConnected(peer: Peer): void {
    if (this.localSlots > 0) peer.send({ type: "computeCapacity", slots: this.localSlots });
  }

  onDisconnected(peer: Peer): void {
    for (const [id, o] of this.offers)
      if (o.peer === peer)
        this.settle(id, { kind: "failed", code: "WORKER_UNAVAILABLE", message: "the peer disconnected" });
  }

  /** The compute service announced its capacity (it repeats it; silence means none). */
  capacity(slots: number): void {
    this.localSeenAt = Date.now();
    this.setLocalSlots(Math.min(MAX_COMPUTE_SLOTS, slots));
  }

  private setLocalSlots(slots: number): void {
    if (slots === this.localSlots) return;
    this.localSlots = slots;
    for (const p of this.m.peers()) p.send({ type: "computeCapacity", slots });
  }

  /** Connected peers that take jobs. */
  workers(): { id: string; slots: number }[] {
    const out: { id: string; slots: number }[] = [];
    for (const p of this.m.peers()) {
      const slots = this.advertised.get(p) ?? 0;
      if (p.isOpen && slots > 0) out.push({ id: p.id, slots });
    }
    return out;
  }

  /** Offers one attempt to `peerId`; settles with its answer or a failure, never throws. */
  offer(peerId: string, job: RemoteJob, timeoutMs: number): Promise<RemoteAttempt> {
    const peer = this.m.peer(peerId);
    if (!peer?.isOpen || (this.advertised.get(peer) ?? 0) === 0)
      return Promise.resolve({
        kind: "failed",
        code: "WORKER_UNAVAILABLE",
        message: `peer ${peerId.slice(0, 16)} is not connected or takes no jobs`,
      });
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffff_ffff ? 1 : this.nextId + 1;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          this.settle(id, {
            kind: "failed",
            code: "TIMEOUT",
            message: `no computeResult in ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
      this.offers.set(id, { peer, resolve, timer });
      const sent = peer.send({
        type: "computeJob",
        id,
        functionHash: Buffer.from(job.functionHash, "hex"),
        fn: Buffer.from(job.fn, "base64"),
        input: job.input,
        seed: job.seed ? Buffer.from(job.seed, "hex") : new Uint8Array(0),
        memoryBytes: job.limits.memoryBytes,
        budget: job.limits.budget,
        deadlineMs: job.limits.deadlineMs,
        proved: job.proved ?? "",
      });
      if (!sent) this.settle(id, { kind: "failed", code: "WORKER_UNAVAILABLE", message: "the peer is gone" });
    });
  }

  private settle(id: number, r: RemoteAttempt): void {
    const o = this.offers.get(id);
    if (!o) return;
    this.offers.delete(id);
    clearTimeout(o.timer);
    o.resolve(r);
  }

  private answered(peer: Peer, m: Msg<"computeResult">): void {
    const o = this.offers.get(m.id);
    if (!o || o.peer !== peer) {
      // Late answers after our timeout are normal; answers to ids we never gave this peer are not.
      if (m.id >= this.nextId) this.m.penalise(peer, "UNSOLICITED", `computeResult ${m.id} without a job`);
      return;
    }
    this.settle(
      m.id,
      m.status === "result"
        ? {
            kind: "result",
            ok: m.ok,
            ...(m.ok ? { json: m.json } : { code: m.code, message: m.message }),
            instructions: m.instructions,
            ms: m.ms,
            ...(m.proof.length > 0 && { proof: Buffer.from(m.proof).toString("base64") }),
          }
        : { kind: "failed", code: m.code, message: m.message, refused: m.status === "refused" },
    );
  }

  /** A peer offered a job: refuse beyond our capacity, check its function bytes, run, answer. */
  private async serve(peer: Peer, m: Msg<"computeJob">): Promise<void> {
    const reply = (r: RemoteAttempt) => peer.send(toResultMessage(m.id, r));
    const running = this.serving.get(peer) ?? 0;
    if (toHex(sha256(m.fn)) !== toHex(m.functionHash)) {
      this.m.penalise(peer, "PROTOCOL_VIOLATION", "computeJob: function bytes do not hash to functionHash");
      return void reply({
        kind: "failed",
        code: "HASH_MISMATCH",
        message: "fn does not hash to functionHash",
      });
    }
    if (!this.runLocal || this.localSlots === 0)
      return void reply({
        kind: "failed",
        code: "NO_CAPACITY",
        message: "this node takes no jobs",
        refused: true,
      });
    if (running >= this.localSlots) {
      // Beyond what we advertised: a race with a capacity change, or a peer ignoring it.
      if (running >= 2 * this.localSlots)
        this.m.penalise(
          peer,
          "PROTOCOL_VIOLATION",
          `computeJob over the ${this.localSlots} advertised slots`,
        );
      return void reply({
        kind: "failed",
        code: "QUEUE_FULL",
        message: `${running} of ${this.localSlots} slots busy`,
        refused: true,
      });
    }
    this.serving.set(peer, running + 1);
    try {
      const job: RemoteJob = {
        functionHash: toHex(m.functionHash),
        fn: Buffer.from(m.fn).toString("base64"),
        input: m.input,
        ...(m.seed.length > 0 && { seed: toHex(m.seed) }),
        limits: { memoryBytes: m.memoryBytes, budget: m.budget, deadlineMs: Math.max(1, m.deadlineMs) },
        proved: m.proved,
      };
      reply(
        await this.runLocal(peer.id, job).catch(
          (err: Error & { code?: string }): RemoteAttempt => ({
            kind: "failed",
            code: (err.code ?? "WORKER_UNAVAILABLE").slice(0, 40),
            message: err.message.slice(0, 512),
            refused: err.code === "QUEUE_FULL",
          }),
        ),
      );
    } finally {
      this.serving.set(peer, Math.max(0, (this.serving.get(peer) ?? 1) - 1));
    }
  }

  stop(): void {
    clearInterval(this.staleTimer);
    for (const id of [...this.offers.keys()])
      this.settle(id, { kind: "failed", code: "WORKER_UNAVAILABLE", message: "the gateway is stopping" });
  }
}

function toResultMessage(id: number, r: RemoteAttempt): P2pMessage {
  const base = { type: "computeResult" as const, id, instructions: 0, ms: 0, proof: new Uint8Array(0) };
  if (r.kind === "failed")
    return {
      ...base,
      status: r.refused ? "refused" : "failed",
      ok: false,
      json: "",
      code: r.code.slice(0, 40),
      message: r.message.slice(0, 512),
    };
  return {
    ...base,
    status: "result",
    ok: r.ok,
    json: r.ok ? (r.json ?? "null") : "",
    code: r.ok ? "" : (r.code ?? "").slice(0, 40),
    message: r.ok ? "" : (r.message ?? "").slice(0, 512),
    instructions: Math.max(0, Math.round(r.instructions)),
    ms: Math.max(0, Math.round(r.ms)),
    proof: r.proof ? Buffer.from(r.proof, "base64") : new Uint8Array(0),
  };
}
