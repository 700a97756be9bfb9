import { isIP } from "node:net";

/**
 * The group inbound limits count by: the /24 of an IPv4 address, the /48 of an IPv6 address.
 * Finer than the dialer's /16 netgroup because inbound addresses are chosen by the remote: a
 * /24 is what one cheap server or one home router can hold.
 */
export function inboundGroup(ip: string): string {
  const v = isIP(ip);
  if (v === 4) return ip.split(".").slice(0, 3).join(".");
  if (v === 6) return ip.split(":").slice(0, 3).join(":");
  return ip;
}

export interface PendingLimits {
  /** Connections accepted but not yet authenticated, over all addresses. */
  maxPending: number;
  /** The same, from one IP and from one group (inboundGroup). */
  maxPendingPerIp: number;
  maxPendingPerGroup: number;
}

interface Entry {
  ip: string;
  group: string;
  /** Closes the connection; its handshake then fails and the entry is released. */
  drop: () => void;
}

export interface PendingHandle {
  release(): void;
}

/**
 * Accepted connections that have not finished the handshake (from TCP accept, through the HTTP
 * upgrade, to the last Noise message). Nobody is refused for lack of room: when a limit is
 * reached the OLDEST pending connection of the crowded address, group or (globally) of the most
 * crowded group is dropped. An attacker holding many unfinished handshakes therefore only ever
 * pushes out its own connections, and an honest peer from another address always gets in.
 */
export class PendingConnections {
  /** Insertion order is age order (Set iterates in insertion order). */
  private readonly entries = new Set<Entry>();
  evicted = 0;

  constructor(private readonly o: PendingLimits) {}

  get size(): number {
    return this.entries.size;
  }

  /** Registers a new connection; `relaxed` (loopback devnet) skips the per-address limits. */
  add(ip: string, relaxed: boolean, drop: () => void): PendingHandle {
    const group = relaxed ? "*" : inboundGroup(ip);
    if (!relaxed) {
      if (this.count((e) => e.ip === ip) >= this.o.maxPendingPerIp) this.evictOldest((e) => e.ip === ip);
      if (this.count((e) => e.group === group) >= this.o.maxPendingPerGroup)
        this.evictOldest((e) => e.group === group);
    }
    if (this.entries.size >= this.o.maxPending) {
      const crowded = this.mostCrowdedGroup();
      this.evictOldest((e) => e.group === crowded);
    }
    const entry: Entry = { ip, group, drop };
    this.entries.add(entry);
    return { release: () => this.entries.delete(entry) };
  }

  private count(match: (e: Entry) => boolean): number {
    let n = 0;
    for (const e of this.entries) if (match(e)) n++;
    return n;
  }

  private mostCrowdedGroup(): string | undefined {
    const counts = new Map<string, number>();
    let best: string | undefined;
    let bestN = 0;
    for (const e of this.entries) {
      const n = (counts.get(e.group) ?? 0) + 1;
      counts.set(e.group, n);
      if (n > bestN) [best, bestN] = [e.group, n];
    }
    return best;
  }

  private evictOldest(match: (e: Entry) => boolean): void {
    for (const e of this.entries) {
      if (!match(e)) continue;
      this.entries.delete(e);
      this.evicted++;
      e.drop();
      return;
    }
  }
}
