import { toHex } from "@p2pnode/codec";
import {
  decodeFindValue,
  decodeStore,
  decodeStoreAck,
  decodeValue,
  encodeFindValue,
  encodeStore,
  encodeStoreAck,
  encodeValue,
  HEADER_BYTES,
  MAX_BODY_BYTES,
  MAX_VALUE_BYTES,
  MsgType,
  SIGNATURE_BYTES,
  STORE_HEADER_BYTES,
  StoreStatus,
  VALUE_HEADER_BYTES,
  ValueKind,
} from "@p2pnode/codec/dht";
import type { Datagram } from "./datagram.js";
import type { DhtNode, RequestHandler } from "./dht-node.js";
import { nodesCollector } from "./dht-node.js";
import type { Endpoint } from "./endpoint.js";
import { bodyDropReason, DhtError, WireError } from "./errors.js";
import { iterativeLookup, type LookupPeer, type QueryOutcome } from "./lookup.js";
import type { Collector } from "./rpc.js";
import type { StoredValue, ValueStore } from "./store.js";
import { checkValue, seqOf } from "./values.js";

export interface ValueProtocolOptions {
  /** Nodes a value is stored on. Default 20 (k). */
  replication: number;
  /** Lifetime of a stored value unless republished. Default 24 h (Kademlia's tExpire). */
  ttlMs: number;
  /** Longest TTL a STORE may ask for. Default 7 days. */
  maxTtlMs: number;
  /** How often holders push values to the current k closest; 0 turns it off. Default 1 h. */
  republishIntervalMs: number;
  /** Bytes one FIND_VALUE asks for (its reply spans ~15 datagrams). Default 16 KiB. */
  windowBytes: number;
  /** A STORE's ack comes after the receiver pulled the value; this long is waited. Default 15 s. */
  storeTimeoutMs: number;
  /** Reply windows that bring nothing new before a peer is given up. Default 3. */
  fetchRetries: number;
  /** Values pulled at once for incoming STOREs; more are refused. Default 16. */
  maxConcurrentPulls: number;
  /** Rounds of lookup + STORE while a round lost a peer or a store; each waits `storeRetryMs` × round first. Default 3. */
  storeAttempts: number;
  /** Back-off before the second round of a store; the third waits twice as long. Default 1 s. */
  storeRetryMs: number;
}

export const defaultValueProtocolOptions: ValueProtocolOptions = {
  replication: 20,
  ttlMs: 24 * 3600_000,
  maxTtlMs: 7 * 24 * 3600_000,
  republishIntervalMs: 3600_000,
  windowBytes: 16 * 1024,
  storeTimeoutMs: 15_000,
  fetchRetries: 3,
  maxConcurrentPulls: 16,
  storeAttempts: 3,
  storeRetryMs: 1_000,
};

export interface FoundValue {
  kind: ValueKind;
  bytes: Uint8Array;
  seq: number;
  source: "local" | "network";
  from?: LookupPeer;
}

export interface ValueStats {
  stored: number;
  served: number;
  badValues: number;
  pulls: number;
  republished: number;
}

type RangeResult =
  | { kind: "failed" }
  | { kind: "nodes"; peers: LookupPeer[] }
  | { kind: "value"; valueKind: ValueKind; total: number; data: Uint8Array };

const MAX_FRAGMENT = MAX_BODY_BYTES - VALUE_HEADER_BYTES;

/**
 * FIND_VALUE and STORE: content-addressed and signed mutable values on the k closest nodes, large
 * values moved in windows of VALUE fragments, every value checked against its key before it is
 * stored or returned; a peer that serves bad bytes is dropped from the table and the lookup goes on.
 */
export class ValueProtocol implements RequestHandler {
  readonly opts: ValueProtocolOptions;
  readonly stats: ValueStats = { stored: 0, served: 0, badValues: 0, pulls: 0, republished: 0 };
  private pulls = new Map<string, Promise<StoreStatus>>();

  constructor(
    opts: Partial<ValueProtocolOptions>,
    private readonly m: { node: DhtNode; store: ValueStore },
  ) {
    this.opts = { ...defaultValueProtocolOptions, ...opts };
    m.node.storage = this;
  }

  start(tickMs = 60_000): void {
    this.m.node.every(tickMs, () => this.maintain());
  }

  handle(d: Datagram, from: Endpoint, verified: boolean): void {
    if (d.type === MsgType.FindValue) {
      const req = decodeFindValue(d.body);
      const v = this.m.store.get(req.key);
      if (v && v.expiresAt > this.m.node.clock.now())
        this.serve(d, from, v, req.offset, req.maxLen, verified);
      else this.m.node.answerNodes(d, from, req.key, verified);
    } else if (d.type === MsgType.Store) {
      const body = decodeStore(d.body);
      void this.onStore(d, from, body).then((status) =>
        this.m.node.rpc.respond(from, d, MsgType.StoreAck, encodeStoreAck(status)),
      );
    }
  }

  /** Sends [offset, offset+maxLen) of a value as VALUE fragments; unverified requesters get one small one. */
  private serve(
    d: Datagram,
    from: Endpoint,
    v: StoredValue,
    offset: number,
    maxLen: number,
    verified: boolean,
  ): void {
    const total = v.value.length;
    const start = Math.min(offset, total);
    const cap = verified
      ? this.opts.windowBytes
      : Math.max(
          0,
          this.m.node.opts.amplificationFactor * d.size - HEADER_BYTES - SIGNATURE_BYTES - VALUE_HEADER_BYTES,
        );
    const end = Math.min(total, start + Math.min(maxLen, cap));
    // challenge before large answers: once the requester answers our ping it gets whole windows
    if (!verified) void this.m.node.ping(from, d.senderIdHex);
    this.stats.served++;
    let pos = start;
    do {
      const next = Math.min(end, pos + MAX_FRAGMENT);
      const data = v.value.subarray(pos, next);
      this.m.node.rpc.respond(
        from,
        d,
        MsgType.Value,
        encodeValue({ kind: v.kind, total, replyEnd: end, offset: pos, data }),
      );
      pos = next;
    } while (pos < end);
  }

  private async onStore(
    d: Datagram,
    from: Endpoint,
    body: ReturnType<typeof decodeStore>,
  ): Promise<StoreStatus> {
    const now = this.m.node.clock.now();
    const ttl = Math.min(Math.max(body.ttlSeconds * 1000, 60_000), this.opts.maxTtlMs);
    if (body.total > MAX_VALUE_BYTES) return StoreStatus.Invalid;
    const existing = this.m.store.get(body.key);
    if (existing && body.kind === ValueKind.Content) {
      this.keep(existing, now, ttl);
      return StoreStatus.AlreadyHave;
    }
    let bytes = body.data;
    if (bytes.length !== body.total) {
      const usage = this.m.store.usage();
      if (usage.bytes + body.total > usage.quotaBytes) return StoreStatus.Refused;
      const key = toHex(body.key) + d.senderIdHex;
      if (this.pulls.size >= this.opts.maxConcurrentPulls && !this.pulls.has(key)) return StoreStatus.Refused;
      const peer: LookupPeer = {
        id: d.senderId,
        idHex: d.senderIdHex,
        publicKey: d.senderKey,
        endpoint: from,
      };
      const fetched = await this.fetchAll(peer, body.key);
      if (!fetched || fetched.valueKind !== body.kind) return StoreStatus.FetchFailed;
      bytes = fetched.data;
    }
    if (checkValue(body.kind, body.key, bytes, this.m.node.verifier) !== null) {
      this.stats.badValues++;
      return StoreStatus.Invalid;
    }
    const v: StoredValue = {
      key: body.key,
      kind: body.kind,
      value: bytes,
      seq: seqOf(body.kind, bytes, this.m.node.verifier),
      origin: false,
      storedAt: now,
      expiresAt: now + ttl,
      republishAt: now + this.republishDelay(),
    };
    const outcome = this.m.store.put(v);
    if (outcome === "quota") return StoreStatus.Refused;
    if (outcome === "stored") this.stats.stored++;
    else this.keep(this.m.store.get(body.key) ?? v, now, ttl);
    return outcome === "stored" ? StoreStatus.Stored : StoreStatus.AlreadyHave;
  }

  /** Someone else just pushed this value: extend it and skip our own next republish (Kademlia's trick). */
  private keep(v: StoredValue, now: number, ttl: number): void {
    this.m.store.replace({
      ...v,
      expiresAt: Math.max(v.expiresAt, now + ttl),
      republishAt: now + this.republishDelay(),
    });
  }

  private republishDelay(): number {
    return this.opts.republishIntervalMs > 0 ? this.opts.republishIntervalMs : this.opts.maxTtlMs;
  }

  /** One FIND_VALUE round trip: a window of the value, or the peer's closest contacts. */
  async fetchRange(peer: LookupPeer, key: Uint8Array, offset: number, maxLen: number): Promise<RangeResult> {
    const c = valueCollector(offset);
    const res = await this.m.node.rpc.request(
      peer.endpoint,
      peer.idHex,
      MsgType.FindValue,
      encodeFindValue({ key, offset, maxLen }, this.m.node.paddingFor(peer.idHex, 40)),
      { collect: c.collect },
    );
    if (res.responses.length === 0) {
      this.m.node.noteFailure(peer.idHex);
      return { kind: "failed" };
    }
    this.m.node.addVerified(peer);
    if (res.responses[0]!.type === MsgType.Nodes)
      return { kind: "nodes", peers: this.m.node.peersOf(res.responses) };
    return { kind: "value", valueKind: c.valueKind(), total: c.total(), data: c.contiguous() };
  }

  /** Pulls a whole value from one peer, window by window, resuming after lost fragments. */
  private async fetchAll(
    peer: LookupPeer,
    key: Uint8Array,
    first?: { valueKind: ValueKind; total: number; data: Uint8Array },
  ): Promise<{ valueKind: ValueKind; data: Uint8Array } | undefined> {
    this.stats.pulls++;
    let head = first;
    if (!head) {
      const r = await this.fetchRange(peer, key, 0, this.opts.windowBytes);
      if (r.kind !== "value") return undefined;
      head = r;
    }
    const { total, valueKind } = head;
    if (total > MAX_VALUE_BYTES) return undefined;
    const buf = new Uint8Array(total);
    buf.set(head.data);
    let have = head.data.length;
    for (let stalls = 0; have < total && stalls < this.opts.fetchRetries; ) {
      const r = await this.fetchRange(peer, key, have, this.opts.windowBytes);
      if (r.kind !== "value" || r.total !== total || r.valueKind !== valueKind || r.data.length === 0) {
        stalls++;
        continue;
      }
      buf.set(r.data.subarray(0, total - have), have);
      have += r.data.length;
    }
    return have >= total ? { valueKind, data: buf } : undefined;
  }

  /** Stores a value here (as its origin) and on the `replication` closest nodes; returns remote confirmations. */
  async put(
    kind: ValueKind,
    key: Uint8Array,
    value: Uint8Array,
    opts: { ttlMs?: number; replicas?: number } = {},
  ): Promise<number> {
    const why = checkValue(kind, key, value, this.m.node.verifier);
    if (why !== null)
      throw new DhtError(value.length > MAX_VALUE_BYTES ? "VALUE_TOO_LARGE" : "INVALID_VALUE", why);
    const now = this.m.node.clock.now();
    const ttlMs = Math.min(opts.ttlMs ?? this.opts.ttlMs, this.opts.maxTtlMs);
    const outcome = this.m.store.put({
      key,
      kind,
      value,
      seq: seqOf(kind, value, this.m.node.verifier),
      origin: true,
      storedAt: now,
      expiresAt: now + ttlMs,
      republishAt: now + this.republishDelay(),
    });
    if (outcome === "quota") throw new DhtError("QUOTA_EXCEEDED", "the local store is full");
    if (outcome === "kept_newer")
      throw new DhtError("INVALID_VALUE", "a record with a higher seq is already stored");
    return this.replicate(kind, key, value, ttlMs, opts.replicas ?? this.opts.replication);
  }

  /**
   * Stores on the `replicas` closest nodes. On a busy network a lookup query or a STORE times out
   * now and then, and that node would silently go without the value (a file chunk held by its
   * uploader alone is lost when the uploader leaves). So while a round lost anyone, another round
   * looks up again and stores on the closest that have not confirmed. A quiet round ends it: in a
   * network smaller than `replicas` every node then holds the value.
   */
  private async replicate(
    kind: ValueKind,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    replicas: number,
  ): Promise<number> {
    const confirmed = new Set<string>();
    for (let round = 1; ; round++) {
      const { closest, failed } = await this.m.node.lookup(key);
      const targets = closest.slice(0, replicas).filter((p) => !confirmed.has(p.idHex));
      const acks = await Promise.all(targets.map((p) => this.sendStore(p, kind, key, value, ttlMs)));
      for (const [i, p] of targets.entries()) if (acks[i]) confirmed.add(p.idHex);
      const lostSome = failed > 0 || acks.some((ok) => !ok);
      if (!lostSome || confirmed.size >= replicas || round >= this.opts.storeAttempts) return confirmed.size;
      await new Promise<void>((r) => this.m.node.clock.setTimeout(r, this.opts.storeRetryMs * round));
    }
  }

  private async sendStore(
    peer: LookupPeer,
    kind: ValueKind,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
  ): Promise<boolean> {
    const inline = STORE_HEADER_BYTES + value.length <= MAX_BODY_BYTES;
    const body = encodeStore({
      key,
      kind,
      ttlSeconds: Math.ceil(ttlMs / 1000),
      total: value.length,
      data: inline ? value : new Uint8Array(0),
    });
    const res = await this.m.node.rpc.request(peer.endpoint, peer.idHex, MsgType.Store, body, {
      timeoutMs: inline ? undefined : this.opts.storeTimeoutMs,
    });
    const d = res.responses[0];
    if (!d) return false;
    try {
      const s = decodeStoreAck(d.body);
      return s === StoreStatus.Stored || s === StoreStatus.AlreadyHave;
    } catch (err) {
      this.m.node.rpc.drop(bodyDropReason(err));
      return false;
    }
  }

  /** A value by key: the local copy if it checks out, else a FIND_VALUE lookup (highest seq for records). */
  async get(key: Uint8Array, opts: { localOnly?: boolean; skipLocal?: boolean } = {}): Promise<FoundValue> {
    const local = opts.skipLocal ? undefined : this.m.store.get(key);
    if (local && local.expiresAt > this.m.node.clock.now()) {
      if (checkValue(local.kind, key, local.value, this.m.node.verifier) === null) {
        return { kind: local.kind, bytes: local.value, seq: local.seq, source: "local" };
      }
      this.stats.badValues++;
      this.m.store.delete(key); // our own copy went bad (disk, tampering): fetch a good one
    }
    const found = await this.lookupValue(key, opts.localOnly === true);
    // we were a holder: keep the good copy we just fetched in place of the bad one
    if (local && found.kind === local.kind)
      this.m.store.replace({ ...local, value: found.bytes, seq: found.seq });
    return found;
  }

  private async lookupValue(key: Uint8Array, localOnly: boolean): Promise<FoundValue> {
    if (localOnly) throw new DhtError("NOT_FOUND", `no value for ${toHex(key)} in the local store`);
    const seeds = this.m.node.seeds(key);
    if (seeds.length === 0) throw new DhtError("NO_PEERS", "the routing table is empty");
    const res = await iterativeLookup<FoundValue>(
      key,
      this.m.node.selfIdHex,
      seeds,
      (p) => this.queryValue(p, key),
      {
        k: this.m.node.opts.k,
        alpha: this.m.node.opts.alpha,
        onValue: (v) => (v.kind === ValueKind.Content ? "stop" : "continue"),
      },
    );
    const best = res.values.map((v) => v.value).sort((a, b) => b.seq - a.seq)[0];
    if (!best) throw new DhtError("NOT_FOUND", `no node holds ${toHex(key)}`, { queried: res.queried });
    return best;
  }

  private async queryValue(peer: LookupPeer, key: Uint8Array): Promise<QueryOutcome<FoundValue>> {
    const r = await this.fetchRange(peer, key, 0, this.opts.windowBytes);
    if (r.kind !== "value") return r;
    const full =
      r.data.length >= r.total ? { valueKind: r.valueKind, data: r.data } : await this.fetchAll(peer, key, r);
    if (!full) return { kind: "failed" };
    if (checkValue(full.valueKind, key, full.data, this.m.node.verifier) !== null) {
      // a peer serving bytes that do not match the key is lying or corrupted: stop trusting it
      this.stats.badValues++;
      this.m.node.table.remove(peer.idHex);
      return { kind: "failed" };
    }
    const seq = seqOf(full.valueKind, full.data, this.m.node.verifier);
    return {
      kind: "value",
      value: { kind: full.valueKind, bytes: full.data, seq, source: "network", from: peer },
    };
  }

  /** Expires old values and republishes due ones to the current k closest nodes. */
  async maintain(): Promise<void> {
    const now = this.m.node.clock.now();
    this.m.store.expire(now);
    if (this.opts.republishIntervalMs === 0) return;
    for (const v of this.m.store.due(now, 64)) {
      const ttl = v.origin ? this.opts.ttlMs : Math.max(0, v.expiresAt - now);
      this.m.store.replace({
        ...v,
        expiresAt: v.origin ? now + this.opts.ttlMs : v.expiresAt,
        republishAt: now + this.opts.republishIntervalMs,
      });
      if (ttl < 60_000) continue;
      await this.replicate(v.kind, v.key, v.value, ttl, this.opts.replication);
      this.stats.republished++;
    }
  }
}

/** Collects VALUE fragments of one reply (or NODES parts if the peer does not hold the value). */
function valueCollector(reqOffset: number) {
  const frags = new Map<number, Uint8Array>();
  let total = 0;
  let replyEnd = 0;
  let kind = ValueKind.Content;
  let nodes: Collector | undefined;
  const contiguous = (): Uint8Array => {
    const parts: Uint8Array[] = [];
    let pos = reqOffset;
    for (let f = frags.get(pos); f && f.length > 0; f = frags.get(pos)) {
      parts.push(f);
      pos += f.length;
    }
    return new Uint8Array(Buffer.concat(parts));
  };
  const covered = (): number => {
    let pos = reqOffset;
    for (let f = frags.get(pos); f && f.length > 0; f = frags.get(pos)) pos += f.length;
    return pos;
  };
  const collect: Collector = (d) => {
    if (d.type === MsgType.Nodes) {
      nodes ??= nodesCollector();
      return nodes(d);
    }
    const v = decodeValue(d.body);
    if (frags.size === 0) {
      total = v.total;
      replyEnd = v.replyEnd;
      kind = v.kind;
    } else if (v.total !== total || v.replyEnd !== replyEnd || v.kind !== kind) {
      throw new WireError("malformed_body", "value fragments disagree on size");
    }
    if (v.offset < reqOffset)
      throw new WireError("malformed_body", "value fragment before the requested offset");
    frags.set(v.offset, v.data);
    return covered() >= replyEnd ? "done" : "more";
  };
  return { collect, total: () => total, valueKind: () => kind, contiguous };
}
