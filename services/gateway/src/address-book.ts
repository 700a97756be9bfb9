import { isIP } from "node:net";

export type CandidateSource = "static" | "bootnode" | "dht" | "addr" | "admin";

export interface Candidate {
  host: string;
  port: number;
  nodeId?: string;
  source: CandidateSource;
  failures: number;
  nextAttemptAt: number;
  lastConnectedAt: number;
}

export interface AddressBookOptions {
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Candidates kept; the oldest learnt (not static) go first. */
  maxEntries: number;
}

/**
 * Where peers can be dialled, from static config, bootnodes, DHT records and peer exchange,
 * each with its reconnect backoff (doubling from base to max after every failed attempt).
 */
export class AddressBook {
  private readonly entries = new Map<string, Candidate>();

  constructor(
    private readonly o: AddressBookOptions,
    private readonly now: () => number = Date.now,
  ) {}

  add(host: string, port: number, source: CandidateSource, nodeId?: string): void {
    const key = keyOf(host, port);
    const e = this.entries.get(key);
    if (e) {
      if (nodeId) e.nodeId = nodeId;
      // A record from a better source upgrades a learnt one (static peers are never dropped).
      if (source === "static" || source === "admin") e.source = source;
      return;
    }
    this.entries.set(key, {
      host,
      port,
      source,
      failures: 0,
      nextAttemptAt: 0,
      lastConnectedAt: 0,
      ...(nodeId ? { nodeId } : {}),
    });
    if (this.entries.size > this.o.maxEntries) {
      for (const [k, c] of this.entries) {
        if (c.source !== "static") {
          this.entries.delete(k);
          break;
        }
      }
    }
  }

  failed(host: string, port: number): void {
    const e = this.entries.get(keyOf(host, port));
    if (!e) return;
    e.failures++;
    e.nextAttemptAt =
      this.now() + Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (e.failures - 1));
  }

  connected(host: string, port: number, nodeId: string): void {
    const e = this.entries.get(keyOf(host, port));
    if (!e) return;
    e.failures = 0;
    e.nextAttemptAt = 0;
    e.lastConnectedAt = this.now();
    e.nodeId = nodeId;
  }

  /** A disconnected peer waits one backoff step before it is dialled again. */
  disconnected(host: string, port: number): void {
    const e = this.entries.get(keyOf(host, port));
    if (e) e.nextAttemptAt = this.now() + this.o.backoffBaseMs * 2 ** Math.min(e.failures, 10);
  }

  /** Candidates whose backoff has passed, static peers first, then the least-failed. */
  due(): Candidate[] {
    const t = this.now();
    const rank = (c: Candidate) => (c.source === "static" ? 0 : c.source === "admin" ? 1 : 2);
    return [...this.entries.values()]
      .filter((c) => c.nextAttemptAt <= t)
      .sort((a, b) => rank(a) - rank(b) || a.failures - b.failures);
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

export function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

/** Strips the IPv4-mapped prefix ws reports for IPv4 peers on a dual-stack socket. */
export function normaliseIp(ip: string): string {
  return ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/**
 * The network group of an address, for diversity limits: /16 for IPv4 (as Bitcoin Core),
 * /32 for IPv6, the name itself for hostnames.
 */
export function netgroup(ip: string): string {
  const v = isIP(ip);
  if (v === 4) return ip.split(".").slice(0, 2).join(".");
  if (v === 6) return ip.split(":").slice(0, 2).join(":");
  return ip;
}
