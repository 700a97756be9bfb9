import { type Endpoint, endpointKey, isLanAddress, netgroup } from "./endpoint.js";
import type { NodeRecord } from "./node-record.js";
import { commonPrefixBits, compareDistance, ID_BITS } from "./xor-metric.js";

/** A routing-table entry: a node that answered us with a signed response from `endpoint`. */
export interface Contact {
  id: Uint8Array;
  idHex: string;
  publicKey: Uint8Array;
  endpoint: Endpoint;
  lastSeen: number;
  failures: number;
  /** The node's verified signed record once a PONG brought it. */
  record?: NodeRecord | undefined;
}

export interface IpLimits {
  /** Entries per network group (/24, /48) in one bucket. geth: 2. */
  perBucket: number;
  /** Entries per network group in the whole table. geth: 10. */
  perTable: number;
}

export interface RoutingTableOptions {
  /** Bucket size. Default 20 (Kademlia's k, DESIGN.md §5). */
  k: number;
  /** Verified contacts kept per bucket to replace dead entries. Default 10. */
  replacements: number;
  /** Sybil/eclipse limits on public addresses; null turns them off (devnet on loopback). */
  ipLimits: IpLimits | null;
}

export const defaultRoutingTableOptions: RoutingTableOptions = {
  k: 20,
  replacements: 10,
  ipLimits: { perBucket: 2, perTable: 10 },
};

export type AddResult =
  | { status: "added" | "updated" | "self" | "ip_limit" }
  /** The bucket is full: `contact` waits in the replacement cache; ping `oldest` and evict it if dead. */
  | { status: "full"; oldest: Contact };

const groupCache = new Map<string, string | null>();

/** Network group of an address, or null for LAN addresses (exempt); memoised, as hosts repeat a lot. */
function groupOf(host: string): string | null {
  let g = groupCache.get(host);
  if (g === undefined) {
    g = isLanAddress(host) ? null : netgroup(host);
    if (groupCache.size > 100_000) groupCache.clear();
    groupCache.set(host, g);
  }
  return g;
}

interface Bucket {
  /** Least recently seen first. */
  entries: Contact[];
  replacements: Contact[];
  /** When a lookup last went through this bucket's range (bucket refresh skips recent ones). */
  touchedAt: number;
}

/**
 * Kademlia k-buckets indexed by the length of the common prefix with our id (bucket 255 holds our
 * nearest neighbours). Entries only come from verified signed responses: the caller's duty.
 */
export class RoutingTable {
  private readonly buckets: Bucket[];
  private readonly byId = new Map<string, Contact>();
  private readonly groups = new Map<string, number>();
  private readonly opts: RoutingTableOptions;

  constructor(
    readonly selfId: Uint8Array,
    opts: Partial<RoutingTableOptions> = {},
  ) {
    this.opts = { ...defaultRoutingTableOptions, ...opts };
    this.buckets = Array.from({ length: ID_BITS }, () => ({ entries: [], replacements: [], touchedAt: 0 }));
  }

  get size(): number {
    return this.byId.size;
  }

  get k(): number {
    return this.opts.k;
  }

  get(idHex: string): Contact | undefined {
    return this.byId.get(idHex);
  }

  bucketIndex(id: Uint8Array): number {
    return commonPrefixBits(this.selfId, id);
  }

  add(c: Contact): AddResult {
    const index = this.bucketIndex(c.id);
    if (index >= ID_BITS) return { status: "self" };
    const bucket = this.buckets[index]!;
    const existing = this.byId.get(c.idHex);
    if (existing) {
      if (endpointKey(existing.endpoint) !== endpointKey(c.endpoint)) {
        this.countGroup(existing.endpoint, -1);
        existing.endpoint = c.endpoint;
        this.countGroup(c.endpoint, +1);
      }
      existing.lastSeen = Math.max(existing.lastSeen, c.lastSeen);
      existing.failures = 0;
      if (c.record && (!existing.record || c.record.seq > existing.record.seq)) existing.record = c.record;
      this.moveToTail(bucket, existing);
      return { status: "updated" };
    }
    if (!this.ipAllowed(bucket, c.endpoint)) return { status: "ip_limit" };
    if (bucket.entries.length < this.opts.k) {
      this.insert(bucket, c);
      return { status: "added" };
    }
    this.addReplacement(bucket, c);
    return { status: "full", oldest: bucket.entries[0]! };
  }

  /** Whether `add` would insert this node right away (room in its bucket, within the IP limits). */
  admissible(id: Uint8Array, endpoint: Endpoint): boolean {
    const index = this.bucketIndex(id);
    if (index >= ID_BITS) return false;
    const bucket = this.buckets[index]!;
    return bucket.entries.length < this.opts.k && this.ipAllowed(bucket, endpoint);
  }

  /** Marks a contact alive (it answered); it moves to the tail of its bucket. */
  touch(idHex: string, now: number): void {
    const c = this.byId.get(idHex);
    if (!c) return;
    c.lastSeen = now;
    c.failures = 0;
    this.moveToTail(this.buckets[this.bucketIndex(c.id)]!, c);
  }

  /** Counts a failed request; the caller evicts after too many. */
  fail(idHex: string): number {
    const c = this.byId.get(idHex);
    if (!c) return 0;
    c.failures += 1;
    return c.failures;
  }

  /** Removes a dead contact and promotes the newest replacement that fits the IP limits. */
  remove(idHex: string): Contact | undefined {
    const c = this.byId.get(idHex);
    if (!c) return undefined;
    const bucket = this.buckets[this.bucketIndex(c.id)]!;
    bucket.entries.splice(bucket.entries.indexOf(c), 1);
    this.byId.delete(idHex);
    this.countGroup(c.endpoint, -1);
    while (bucket.replacements.length > 0) {
      const next = bucket.replacements.pop()!;
      if (this.ipAllowed(bucket, next.endpoint)) {
        this.insert(bucket, next);
        return next;
      }
    }
    return undefined;
  }

  /** The `n` contacts closest to `target` by XOR distance. */
  closest(target: Uint8Array, n: number = this.opts.k, filter?: (c: Contact) => boolean): Contact[] {
    const all = filter ? [...this.byId.values()].filter(filter) : [...this.byId.values()];
    all.sort((a, b) => compareDistance(target, a.id, b.id));
    return all.slice(0, n);
  }

  all(): Contact[] {
    return [...this.byId.values()];
  }

  /** Non-empty buckets with their index, for REST and for refresh. */
  listBuckets(): { index: number; entries: Contact[]; replacements: number; touchedAt: number }[] {
    const out = [];
    for (let i = 0; i < ID_BITS; i++) {
      const b = this.buckets[i]!;
      if (b.entries.length > 0 || b.replacements.length > 0) {
        out.push({
          index: i,
          entries: b.entries,
          replacements: b.replacements.length,
          touchedAt: b.touchedAt,
        });
      }
    }
    return out;
  }

  /** Index of the deepest non-empty bucket; buckets past it cannot hold anything yet. */
  deepestBucket(): number {
    for (let i = ID_BITS - 1; i >= 0; i--) if (this.buckets[i]!.entries.length > 0) return i;
    return -1;
  }

  markLookup(target: Uint8Array, now: number): void {
    const i = this.bucketIndex(target);
    if (i < ID_BITS) this.buckets[i]!.touchedAt = now;
  }

  bucketTouchedAt(index: number): number {
    return this.buckets[index]?.touchedAt ?? 0;
  }

  oldestOf(index: number): Contact | undefined {
    return this.buckets[index]?.entries[0];
  }

  private insert(bucket: Bucket, c: Contact): void {
    bucket.entries.push(c);
    this.byId.set(c.idHex, c);
    this.countGroup(c.endpoint, +1);
  }

  private addReplacement(bucket: Bucket, c: Contact): void {
    const r = bucket.replacements;
    const i = r.findIndex((x) => x.idHex === c.idHex);
    if (i >= 0) r.splice(i, 1);
    r.push(c);
    if (r.length > this.opts.replacements) r.shift();
  }

  private moveToTail(bucket: Bucket, c: Contact): void {
    const i = bucket.entries.indexOf(c);
    if (i >= 0 && i !== bucket.entries.length - 1) {
      bucket.entries.splice(i, 1);
      bucket.entries.push(c);
    }
  }

  private ipAllowed(bucket: Bucket, e: Endpoint): boolean {
    const limits = this.opts.ipLimits;
    const g = groupOf(e.host);
    if (!limits || g === null) return true;
    if ((this.groups.get(g) ?? 0) >= limits.perTable) return false;
    let inBucket = 0;
    for (const x of bucket.entries) if (groupOf(x.endpoint.host) === g) inBucket++;
    return inBucket < limits.perBucket;
  }

  private countGroup(e: Endpoint, delta: number): void {
    const g = groupOf(e.host);
    if (g === null) return;
    const n = (this.groups.get(g) ?? 0) + delta;
    if (n <= 0) this.groups.delete(g);
    else this.groups.set(g, n);
  }
}
