import { randomBytes } from "node:crypto";
import { toHex } from "@p2pnode/codec";
import { MSG_NAMES, MsgType, REQUEST_ID_BYTES, REQUEST_TYPES } from "@p2pnode/codec/dht";
import { type Datagram, openDatagram, signDatagram } from "./datagram.js";
import { type Endpoint, endpointKey } from "./endpoint.js";
import { bodyDropReason, type DropReason, datagramDropReason } from "./errors.js";
import type { Signer, Verifier } from "./signing.js";
import type { Clock, DatagramTransport, TimerHandle } from "./transport.js";

export interface RpcOptions {
  /** How long a request waits for its (last) response datagram. Default 500 ms (geth's respTimeout). */
  requestTimeoutMs: number;
  /** A (sender, request id) pair seen within this window is a replay. Default 2 min (DESIGN.md seen-cache). */
  replayWindowMs: number;
  /** Inbound requests per source IP: sustained rate and burst; null turns the limit off. Default 200/s, 400. */
  rateLimit: { perSecond: number; burst: number } | null;
  /** Outstanding requests at most; more are failed at once instead of growing memory. Default 4096. */
  maxPending: number;
}

export const defaultRpcOptions: RpcOptions = {
  requestTimeoutMs: 500,
  replayWindowMs: 120_000,
  rateLimit: { perSecond: 200, burst: 400 },
  maxPending: 4096,
};

export interface RpcModules {
  transport: DatagramTransport;
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  /** Our node record's sequence number, sent in every header. */
  ownSeq: () => number;
}

/** Datagram counters by message type and drop reason (GET /stats, dht_datagrams_* metrics). */
export interface RpcStats {
  sent: Record<string, number>;
  received: Record<string, number>;
  dropped: Partial<Record<DropReason, number>>;
  timeouts: number;
}

/** Decides whether a response datagram completes the request or more parts are to come. */
export type Collector = (d: Datagram) => "more" | "done";

export interface RequestResult {
  responses: Datagram[];
  /** False when the request timed out before the collector said done. */
  complete: boolean;
}

interface Pending {
  to: string;
  expectIdHex: string | undefined;
  accepts: ReadonlySet<MsgType>;
  collect: Collector;
  responses: Datagram[];
  timer: TimerHandle;
  resolve: (r: RequestResult) => void;
}

const RESPONSE_TYPES: Partial<Record<MsgType, ReadonlySet<MsgType>>> = {
  [MsgType.Ping]: new Set([MsgType.Pong]),
  [MsgType.FindNode]: new Set([MsgType.Nodes]),
  [MsgType.FindValue]: new Set([MsgType.Value, MsgType.Nodes]),
  [MsgType.Store]: new Set([MsgType.StoreAck]),
};

/**
 * Signed request/response over datagrams: request ids, timeouts, multi-part responses, replay and
 * rate limits. Every inbound datagram is decoded and verified here; anything wrong is dropped and
 * counted, so the layers above only ever see verified messages.
 */
export class Rpc {
  readonly stats: RpcStats = { sent: {}, received: {}, dropped: {}, timeouts: 0 };
  onRequest: (d: Datagram, from: Endpoint) => void = () => undefined;
  /** Every verified datagram, before dispatch (the node uses it for liveness and record refresh). */
  onVerified: (d: Datagram, from: Endpoint) => void = () => undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly seen = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly selfKeyHex: string;
  private readonly opts: RpcOptions;

  constructor(
    opts: Partial<RpcOptions>,
    private readonly m: RpcModules,
  ) {
    this.opts = { ...defaultRpcOptions, ...opts };
    this.selfKeyHex = toHex(m.signer.publicKey);
    m.transport.onDatagram((data, from) => this.handle(data, from));
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a request and collects its response datagrams until `collect` says done or time runs out. */
  request(
    to: Endpoint,
    expectIdHex: string | undefined,
    type: MsgType,
    body: Uint8Array,
    opts: { collect?: Collector; timeoutMs?: number } = {},
  ): Promise<RequestResult> {
    if (this.pending.size >= this.opts.maxPending) return Promise.resolve({ responses: [], complete: false });
    const requestId = new Uint8Array(randomBytes(REQUEST_ID_BYTES));
    const idHex = toHex(requestId);
    return new Promise((resolve) => {
      const timer = this.m.clock.setTimeout(() => {
        const p = this.pending.get(idHex);
        if (!p) return;
        this.pending.delete(idHex);
        this.stats.timeouts++;
        resolve({ responses: p.responses, complete: false });
      }, opts.timeoutMs ?? this.opts.requestTimeoutMs);
      this.pending.set(idHex, {
        to: endpointKey(to),
        expectIdHex,
        accepts: RESPONSE_TYPES[type] ?? new Set(),
        collect: opts.collect ?? (() => "done"),
        responses: [],
        timer,
        resolve,
      });
      this.send(to, type, requestId, body);
    });
  }

  respond(to: Endpoint, request: Datagram, type: MsgType, body: Uint8Array): void {
    this.send(to, type, request.requestId, body);
  }

  private send(to: Endpoint, type: MsgType, requestId: Uint8Array, body: Uint8Array): void {
    const bytes = signDatagram(type, requestId, this.m.ownSeq(), body, this.m.signer);
    const name = MSG_NAMES[type];
    this.stats.sent[name] = (this.stats.sent[name] ?? 0) + 1;
    this.m.transport.send(to, bytes);
  }

  /** Entry point of every inbound datagram (public so tests can feed bytes directly). */
  handle(data: Uint8Array, from: Endpoint): void {
    let d: Datagram;
    try {
      d = openDatagram(data, this.m.verifier);
    } catch (err) {
      this.drop(datagramDropReason(err));
      return;
    }
    if (toHex(d.senderKey) === this.selfKeyHex) {
      this.drop("self");
      return;
    }
    if (REQUEST_TYPES.has(d.type)) {
      const refused = !this.allowRate(from.host) ? "rate_limited" : this.isReplay(d) ? "replay" : undefined;
      if (refused) {
        this.drop(refused);
        return;
      }
      this.count(d);
      this.onVerified(d, from);
      this.onRequest(d, from);
      return;
    }
    const p = this.pending.get(d.requestIdHex);
    if (!p?.accepts.has(d.type)) {
      this.drop("unsolicited");
      return;
    }
    if (p.to !== endpointKey(from) || (p.expectIdHex !== undefined && p.expectIdHex !== d.senderIdHex)) {
      this.drop("wrong_sender");
      return;
    }
    this.count(d);
    this.onVerified(d, from);
    p.responses.push(d);
    let verdict: "more" | "done";
    try {
      verdict = p.collect(d);
    } catch (err) {
      // a response whose body does not decode ends the request: the peer is broken or lying
      this.drop(bodyDropReason(err));
      p.responses.pop();
      verdict = "done";
    }
    if (verdict === "done") {
      this.pending.delete(d.requestIdHex);
      this.m.clock.clearTimeout(p.timer);
      p.resolve({ responses: p.responses, complete: true });
    }
  }

  /** Counts a datagram that a layer above refused after decoding (bad body, lying content). */
  drop(reason: DropReason): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  /** Fails every outstanding request (shutdown). */
  close(): void {
    for (const [id, p] of this.pending) {
      this.m.clock.clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ responses: p.responses, complete: false });
    }
  }

  private count(d: Datagram): void {
    const name = MSG_NAMES[d.type];
    this.stats.received[name] = (this.stats.received[name] ?? 0) + 1;
  }

  private isReplay(d: Datagram): boolean {
    const now = this.m.clock.now();
    const key = d.senderIdHex + d.requestIdHex;
    // entries are inserted in time order, so expired ones sit at the front
    for (const [k, at] of this.seen) {
      if (now - at < this.opts.replayWindowMs && this.seen.size < 200_000) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return true;
    this.seen.set(key, now);
    return false;
  }

  private allowRate(host: string): boolean {
    const limit = this.opts.rateLimit;
    if (!limit) return true;
    const now = this.m.clock.now();
    let b = this.buckets.get(host);
    if (!b) {
      if (this.buckets.size > 50_000) this.buckets.clear();
      b = { tokens: limit.burst, at: now };
      this.buckets.set(host, b);
    }
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
