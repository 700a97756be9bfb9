import { toHex } from "@p2pnode/codec";
import {
  contactWireBytes,
  decodeFindNode,
  decodeNodes,
  decodePong,
  encodeFindNode,
  encodeNodes,
  encodePong,
  HEADER_BYTES,
  MAX_BODY_BYTES,
  MsgType,
  NODES_HEADER_BYTES,
  PADDED_REQUEST_BYTES,
  SIGNATURE_BYTES,
  type WireContact,
} from "@p2pnode/codec/dht";
import { nodeIdOf } from "@p2pnode/crypto";
import type { Datagram } from "./datagram.js";
import { type Endpoint, endpointKey, isUnspecified } from "./endpoint.js";
import { bodyDropReason } from "./errors.js";
import { iterativeLookup, type LookupPeer, type LookupResult, type QueryOutcome } from "./lookup.js";
import {
  decodeRecord,
  isNewerRecord,
  type NodeRecord,
  type NodeRecordFields,
  signRecord,
} from "./node-record.js";
import { type Contact, RoutingTable, type RoutingTableOptions } from "./routing-table.js";
import { type Collector, Rpc, type RpcOptions } from "./rpc.js";
import type { Signer, Verifier } from "./signing.js";
import type { Clock, DatagramTransport, TimerHandle } from "./transport.js";
import { randomIdInBucket } from "./xor-metric.js";

export interface DhtLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
export const silentLog: DhtLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface DhtNodeOptions {
  /** Bucket size and lookup result size. Default 20. */
  k: number;
  /** Lookup parallelism. Default 3. */
  alpha: number;
  rpc: Partial<RpcOptions>;
  table: Partial<Omit<RoutingTableOptions, "k">>;
  /** Consecutive failed requests after which a contact is evicted. Default 2. */
  maxFailures: number;
  /** Unverified requesters get responses of at most this many times their request's size. Default 3. */
  amplificationFactor: number;
  /** How long an answered request proves a peer's address (anti-amplification). Default 24 h. */
  endpointProofMs: number;
  /** Check buckets this often; 0 turns maintenance off (simulations drive it themselves). Default 60 s. */
  refreshIntervalMs: number;
  /** A bucket no lookup went through for this long gets a random lookup. Default 30 min. */
  bucketRefreshMs: number;
  /** Ping the oldest entry of a random bucket this often; 0 turns it off. Default 10 s. */
  revalidateIntervalMs: number;
  /** What goes into our node record. */
  record: Omit<NodeRecordFields, "publicKey" | "seq">;
  /** Lowest sequence number of our record (the service passes the persisted one + 1). Default now. */
  recordSeq?: number;
  /** Learn our public IP from PONGs when the record has none; this many peers must agree. Default 2. */
  observedQuorum: number;
}

export const defaultDhtNodeOptions: Omit<DhtNodeOptions, "record"> = {
  k: 20,
  alpha: 3,
  rpc: {},
  table: {},
  maxFailures: 2,
  amplificationFactor: 3,
  endpointProofMs: 24 * 3600_000,
  refreshIntervalMs: 60_000,
  bucketRefreshMs: 30 * 60_000,
  revalidateIntervalMs: 10_000,
  observedQuorum: 2,
};

export interface DhtNodeModules {
  transport: DatagramTransport;
  signer: Signer;
  verifier: Verifier;
  clock: Clock;
  log?: DhtLog;
}

/** Handlers for the storage message types, plugged in by the value protocol. */
export interface RequestHandler {
  handle(d: Datagram, from: Endpoint, verified: boolean): void;
}

export interface DhtNodeStats {
  lookups: number;
  admitted: number;
  evicted: number;
  ipLimited: number;
  recordsLearned: number;
}

const toPeer = (c: {
  id: Uint8Array;
  idHex: string;
  publicKey: Uint8Array;
  endpoint: Endpoint;
}): LookupPeer => ({
  id: c.id,
  idHex: c.idHex,
  publicKey: c.publicKey,
  endpoint: c.endpoint,
});

/**
 * One Kademlia node: routing table, signed PING/FIND_NODE, admission and eviction, lookups,
 * bootstrap and maintenance. The service and the 1,000-node simulation both run exactly this class;
 * only the transport and clock differ.
 */
export class DhtNode {
  readonly selfId: Uint8Array;
  readonly selfIdHex: string;
  readonly table: RoutingTable;
  readonly rpc: Rpc;
  readonly opts: DhtNodeOptions;
  readonly stats: DhtNodeStats = { lookups: 0, admitted: 0, evicted: 0, ipLimited: 0, recordsLearned: 0 };
  /** Called with every verified node record that is new or newer (the gateway's connection candidates). */
  onRecord: (r: NodeRecord) => void = () => undefined;
  storage: RequestHandler | undefined;
  private ownRecord: NodeRecord;
  private readonly records = new Map<string, NodeRecord>();
  private readonly proofs = new Map<string, { endpoint: string; at: number }>();
  /** Peers we answered recently: they hold proof of our address, so our requests need no padding. */
  private readonly provenTo = new Map<string, number>();
  private readonly pinging = new Map<string, Promise<Contact | undefined>>();
  private readonly observed = new Map<string, Set<string>>();
  private readonly timers: TimerHandle[] = [];
  private readonly log: DhtLog;
  private running = false;

  constructor(
    opts: Partial<DhtNodeOptions> & Pick<DhtNodeOptions, "record">,
    private readonly m: DhtNodeModules,
  ) {
    this.opts = { ...defaultDhtNodeOptions, ...opts };
    this.log = m.log ?? silentLog;
    this.selfId = nodeIdOf(m.signer.publicKey);
    this.selfIdHex = toHex(this.selfId);
    this.table = new RoutingTable(this.selfId, { ...this.opts.table, k: this.opts.k });
    // A record's sequence number is a u64 on the wire: whole milliseconds, whatever the clock gives.
    this.ownRecord = signRecord(
      { ...this.opts.record, seq: this.opts.recordSeq ?? Math.floor(m.clock.now()) },
      m.signer,
    );
    this.rpc = new Rpc(this.opts.rpc, {
      transport: m.transport,
      signer: m.signer,
      verifier: m.verifier,
      clock: m.clock,
      ownSeq: () => this.ownRecord.seq,
    });
    this.rpc.onRequest = (d, from) => this.onRequest(d, from);
    this.rpc.onVerified = (d, from) => this.onVerified(d, from);
  }

  get record(): NodeRecord {
    return this.ownRecord;
  }

  get localEndpoint(): Endpoint {
    return this.m.transport.local;
  }

  get clock(): Clock {
    return this.m.clock;
  }

  get verifier(): Verifier {
    return this.m.verifier;
  }

  get signer(): Signer {
    return this.m.signer;
  }

  knownRecord(idHex: string): NodeRecord | undefined {
    return this.records.get(idHex);
  }

  /** Known verified records (table entries and others we met), newest first. */
  knownRecords(limit: number): NodeRecord[] {
    return [...this.records.values()].slice(-limit).reverse();
  }

  /** Re-signs our record with a higher sequence number when an address or port changes. */
  updateRecord(change: Partial<Omit<NodeRecordFields, "publicKey" | "seq">>): NodeRecord {
    const next = { ...this.ownRecord, ...change };
    const seq = Math.max(this.ownRecord.seq + 1, Math.floor(this.m.clock.now()));
    this.ownRecord = signRecord(
      { roles: next.roles, udp: next.udp, wsPort: next.wsPort, seq },
      this.m.signer,
    );
    this.log.info({ seq, udp: endpointKey(next.udp) }, "node record updated");
    return this.ownRecord;
  }

  start(): void {
    this.running = true;
    if (this.opts.refreshIntervalMs > 0) this.every(this.opts.refreshIntervalMs, () => this.refresh());
    if (this.opts.revalidateIntervalMs > 0)
      this.every(this.opts.revalidateIntervalMs, () => this.revalidate());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) this.m.clock.clearTimeout(t);
    this.rpc.close();
    await this.m.transport.close();
  }

  /** Runs `fn` every `ms` on the node's clock, one run at a time. */
  every(ms: number, fn: () => unknown): void {
    const slot = this.timers.length;
    const tick = () => {
      Promise.resolve()
        .then(fn)
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "dht maintenance failed"))
        .finally(() => {
          if (this.running) this.timers[slot] = this.m.clock.setTimeout(tick, ms);
        });
    };
    this.timers.push(this.m.clock.setTimeout(tick, ms));
  }

  // ---- inbound ----

  private onRequest(d: Datagram, from: Endpoint): void {
    const verified = this.isVerified(d.senderIdHex, from);
    try {
      switch (d.type) {
        case MsgType.Ping:
          this.rpc.respond(
            from,
            d,
            MsgType.Pong,
            encodePong({ observed: from, record: this.ownRecord.bytes }),
          );
          break;
        case MsgType.FindNode:
          this.answerNodes(d, from, decodeFindNode(d.body), verified);
          break;
        default:
          this.storage?.handle(d, from, verified);
      }
    } catch (err) {
      this.rpc.drop(bodyDropReason(err));
      return;
    }
    this.provenTo.delete(d.senderIdHex);
    this.provenTo.set(d.senderIdHex, this.m.clock.now());
    if (this.provenTo.size > 20_000) this.provenTo.delete(this.provenTo.keys().next().value!);
    this.maybeAdmit(d, from);
  }

  /** Answers with the k closest contacts, split over datagrams; unverified senders get a capped answer. */
  answerNodes(d: Datagram, from: Endpoint, target: Uint8Array, verified: boolean): void {
    const contacts: WireContact[] = this.table
      .closest(target, this.opts.k, (c) => c.idHex !== d.senderIdHex && c.failures === 0)
      .map((c) => ({ publicKey: c.publicKey, endpoint: c.endpoint }));
    if (verified) {
      for (const body of encodeNodes(contacts)) this.rpc.respond(from, d, MsgType.Nodes, body);
      return;
    }
    const budget = Math.min(
      MAX_BODY_BYTES,
      this.opts.amplificationFactor * d.size - HEADER_BYTES - SIGNATURE_BYTES,
    );
    const capped: WireContact[] = [];
    let size = NODES_HEADER_BYTES;
    for (const c of contacts) {
      size += contactWireBytes(c);
      if (size > budget) break;
      capped.push(c);
    }
    this.rpc.respond(from, d, MsgType.Nodes, encodeNodes(capped)[0]!);
  }

  /** Any verified datagram: refresh liveness of a known contact, fetch its record if it has a newer one. */
  private onVerified(d: Datagram, from: Endpoint): void {
    const c = this.table.get(d.senderIdHex);
    if (!c || endpointKey(c.endpoint) !== endpointKey(from)) return;
    if (d.senderSeq > (c.record?.seq ?? -1) && !this.pinging.has(c.idHex)) void this.ping(from, c.idHex);
  }

  /** An unknown sender whose bucket has room is pinged back; its PONG proves the address (no table entry without it). */
  private maybeAdmit(d: Datagram, from: Endpoint): void {
    if (this.table.get(d.senderIdHex) || this.pinging.has(d.senderIdHex)) return;
    if (!this.table.admissible(d.senderId, from)) return;
    void this.ping(from, d.senderIdHex);
  }

  // ---- outbound ----

  /** Pings an address; on a verified PONG the peer enters the table with its signed record. */
  ping(to: Endpoint, expectIdHex?: string): Promise<Contact | undefined> {
    const key = expectIdHex ?? endpointKey(to);
    const running = this.pinging.get(key);
    if (running) return running;
    const p = this.doPing(to, expectIdHex).finally(() => this.pinging.delete(key));
    this.pinging.set(key, p);
    return p;
  }

  private async doPing(to: Endpoint, expectIdHex?: string): Promise<Contact | undefined> {
    const res = await this.rpc.request(to, expectIdHex, MsgType.Ping, new Uint8Array(0));
    const d = res.responses[0];
    if (!d) {
      if (expectIdHex) this.noteFailure(expectIdHex);
      return undefined;
    }
    let record: NodeRecord;
    let observed: Endpoint;
    try {
      const pong = decodePong(d.body);
      observed = pong.observed;
      record = decodeRecord(pong.record, this.m.verifier);
    } catch (err) {
      this.rpc.drop(bodyDropReason(err));
      return undefined;
    }
    if (record.nodeIdHex !== d.senderIdHex) {
      this.rpc.drop("wrong_sender");
      return undefined;
    }
    this.noteObserved(observed, d.senderIdHex);
    return this.addVerified(
      { id: d.senderId, idHex: d.senderIdHex, publicKey: d.senderKey, endpoint: to },
      record,
    );
  }

  /** Records a node that answered us: proof of its address, table admission, eviction check. */
  addVerified(peer: LookupPeer, record?: NodeRecord): Contact | undefined {
    const now = this.m.clock.now();
    this.proofs.delete(peer.idHex);
    this.proofs.set(peer.idHex, { endpoint: endpointKey(peer.endpoint), at: now });
    if (this.proofs.size > 20_000) this.proofs.delete(this.proofs.keys().next().value!);
    if (record) this.learnRecord(record);
    const contact: Contact = {
      ...peer,
      lastSeen: now,
      failures: 0,
      record: record ?? this.records.get(peer.idHex),
    };
    const res = this.table.add(contact);
    if (res.status === "added") this.stats.admitted++;
    if (res.status === "ip_limit") this.stats.ipLimited++;
    if (res.status === "full") void this.checkEviction(res.oldest);
    return this.table.get(peer.idHex);
  }

  private learnRecord(r: NodeRecord): void {
    const known = this.records.get(r.nodeIdHex);
    if (!isNewerRecord(r, known)) return;
    this.records.delete(r.nodeIdHex);
    this.records.set(r.nodeIdHex, r);
    if (this.records.size > 5_000) this.records.delete(this.records.keys().next().value!);
    const c = this.table.get(r.nodeIdHex);
    if (c) c.record = r;
    this.stats.recordsLearned++;
    this.onRecord(r);
  }

  /** Liveness check before evicting: the least recently seen entry gets a ping; if it is dead it goes. */
  private async checkEviction(oldest: Contact): Promise<void> {
    if (this.pinging.has(oldest.idHex)) return;
    const alive = await this.ping(oldest.endpoint, oldest.idHex);
    if (!alive && this.table.get(oldest.idHex)) {
      this.table.remove(oldest.idHex);
      this.stats.evicted++;
    }
  }

  /** Counts a failed request to a contact; too many in a row evict it. */
  noteFailure(idHex: string): void {
    if (this.table.fail(idHex) >= this.opts.maxFailures) {
      this.table.remove(idHex);
      this.stats.evicted++;
    }
  }

  private noteObserved(observed: Endpoint, fromIdHex: string): void {
    if (!isUnspecified(this.ownRecord.udp.host) || isUnspecified(observed.host)) return;
    let voters = this.observed.get(observed.host);
    if (!voters) {
      voters = new Set();
      this.observed.set(observed.host, voters);
    }
    voters.add(fromIdHex);
    if (voters.size >= this.opts.observedQuorum) {
      this.updateRecord({ udp: { host: observed.host, port: this.ownRecord.udp.port } });
      this.observed.clear();
    }
  }

  /** Zero bytes to append to a request of `bodyBytes` so that an unproven requester still gets a full answer. */
  paddingFor(idHex: string, bodyBytes: number): number {
    const at = this.provenTo.get(idHex);
    if (at !== undefined && this.m.clock.now() - at < this.opts.endpointProofMs / 2) return 0;
    return Math.max(0, PADDED_REQUEST_BYTES - HEADER_BYTES - SIGNATURE_BYTES - bodyBytes);
  }

  isVerified(idHex: string, from: Endpoint): boolean {
    const key = endpointKey(from);
    const c = this.table.get(idHex);
    if (c && endpointKey(c.endpoint) === key) return true;
    const p = this.proofs.get(idHex);
    return p !== undefined && p.endpoint === key && this.m.clock.now() - p.at < this.opts.endpointProofMs;
  }

  /** FIND_NODE to one peer: its contacts on success; failures count towards eviction. */
  async queryNodes(peer: LookupPeer, target: Uint8Array): Promise<QueryOutcome<never>> {
    const res = await this.rpc.request(
      peer.endpoint,
      peer.idHex,
      MsgType.FindNode,
      encodeFindNode(target, this.paddingFor(peer.idHex, 32)),
      {
        collect: nodesCollector(),
      },
    );
    if (res.responses.length === 0) {
      this.noteFailure(peer.idHex);
      return { kind: "failed" };
    }
    this.addVerified(peer);
    return { kind: "nodes", peers: this.peersOf(res.responses) };
  }

  /** Contacts carried by NODES datagrams (already decoded once by the collector). */
  peersOf(responses: Datagram[]): LookupPeer[] {
    const out: LookupPeer[] = [];
    for (const d of responses) {
      if (d.type !== MsgType.Nodes) continue;
      for (const c of decodeNodes(d.body).contacts) {
        const id = nodeIdOf(c.publicKey);
        out.push({ id, idHex: toHex(id), publicKey: c.publicKey, endpoint: c.endpoint });
      }
    }
    return out;
  }

  seeds(target: Uint8Array): LookupPeer[] {
    return this.table.closest(target, this.opts.k).map(toPeer);
  }

  /** Iterative lookup of `target`: the k closest live nodes, hop count and query counts. */
  async lookup(target: Uint8Array): Promise<LookupResult<never>> {
    this.stats.lookups++;
    this.table.markLookup(target, this.m.clock.now());
    return iterativeLookup<never>(
      target,
      this.selfIdHex,
      this.seeds(target),
      (p) => this.queryNodes(p, target),
      {
        k: this.opts.k,
        alpha: this.opts.alpha,
      },
    );
  }

  /** Joins the network through some addresses: ping them, look ourselves up, then fill the far buckets. */
  async bootstrap(endpoints: Endpoint[]): Promise<number> {
    const self = endpointKey(this.m.transport.local);
    await Promise.all(endpoints.filter((e) => endpointKey(e) !== self).map((e) => this.ping(e)));
    if (this.table.size === 0) return 0;
    await this.lookup(this.selfId);
    await this.refreshBuckets(0);
    this.log.info({ contacts: this.table.size }, "dht bootstrap done");
    return this.table.size;
  }

  /** Random lookups in buckets no lookup went through for `staleMs` (0: all up to the deepest). */
  async refreshBuckets(staleMs: number): Promise<void> {
    const now = this.m.clock.now();
    const deepest = Math.min(this.table.deepestBucket(), 255);
    for (let i = 0; i <= deepest; i++) {
      if (staleMs > 0 && now - this.table.bucketTouchedAt(i) < staleMs) continue;
      await this.lookup(randomIdInBucket(this.selfId, i));
    }
  }

  private async refresh(): Promise<void> {
    if (this.table.size > 0) await this.refreshBuckets(this.opts.bucketRefreshMs);
  }

  private async revalidate(): Promise<void> {
    const buckets = this.table.listBuckets().filter((b) => b.entries.length > 0);
    const b = buckets[Math.floor(Math.random() * buckets.length)];
    const oldest = b?.entries[0];
    if (oldest) await this.ping(oldest.endpoint, oldest.idHex);
  }
}

/** Completes a FIND_NODE (or a FIND_VALUE answered with NODES) when every announced part arrived. */
export function nodesCollector(): Collector {
  const got = new Set<number>();
  return (d) => {
    const { part, parts } = decodeNodes(d.body);
    got.add(part);
    return got.size >= parts ? "done" : "more";
  };
}
