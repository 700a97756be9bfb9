import { isIP } from "node:net";
import { normalizeIp } from "@p2pnode/codec/dht";
import type { DhtLog, DhtNode } from "./dht-node.js";
import { type Endpoint, endpointKey } from "./endpoint.js";

/** Resolves a hostname to its addresses (dns.promises.lookup with all: true in the service). */
export type Resolver = (host: string) => Promise<string[]>;

export interface BootstrapOptions {
  /** P2PNODE_BOOTNODES: "host:port" of peers' DHT UDP ports; hostnames are re-resolved. */
  bootnodes: string[];
  /** P2PNODE_DNS_SEEDS: hostnames whose A/AAAA records are DHT nodes. */
  dnsSeeds: string[];
  /** UDP port of nodes found through DNS seeds. Default 7401 (the DHT UDP port inside a container). */
  dnsSeedPort: number;
  /** Re-resolve names and ping new addresses this often. Default 5 min (pod addresses change). */
  reresolveMs: number;
  /** While the table is empty, retry the bootstrap after this long, doubling up to 1 min. Default 2 s. */
  retryMs: number;
}

export const defaultBootstrapOptions: Omit<BootstrapOptions, "bootnodes" | "dnsSeeds"> = {
  dnsSeedPort: 7401,
  reresolveMs: 5 * 60_000,
  retryMs: 2_000,
};

/** Parses "host:port" or "[v6]:port". */
export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^\[([0-9a-fA-F:]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

/**
 * Joins the DHT from bootnodes and DNS seeds, keeps retrying while the table is empty, and every
 * few minutes re-resolves the names and pings addresses it has not seen (a restarted pod).
 */
export class Bootstrapper {
  readonly opts: BootstrapOptions;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private seen = new Set<string>();
  lastError: string | undefined;

  constructor(
    opts: Partial<BootstrapOptions> & Pick<BootstrapOptions, "bootnodes" | "dnsSeeds">,
    private readonly m: { node: DhtNode; resolve: Resolver; log: DhtLog },
  ) {
    this.opts = { ...defaultBootstrapOptions, ...opts };
  }

  get configured(): boolean {
    return this.opts.bootnodes.length > 0 || this.opts.dnsSeeds.length > 0;
  }

  /** Every address the configuration names right now, without our own. */
  async endpoints(): Promise<Endpoint[]> {
    const out = new Map<string, Endpoint>();
    const add = (host: string, port: number) => {
      const e = { host: normalizeIp(host), port };
      out.set(endpointKey(e), e);
    };
    const resolveAll = async (host: string): Promise<string[]> => {
      if (isIP(host)) return [host];
      try {
        return await this.m.resolve(host);
      } catch (err) {
        this.lastError = `cannot resolve ${host}: ${(err as Error).message}`;
        return [];
      }
    };
    await Promise.all([
      ...this.opts.bootnodes.map(async (b) => {
        const hp = parseHostPort(b);
        if (hp) for (const ip of await resolveAll(hp.host)) add(ip, hp.port);
      }),
      ...this.opts.dnsSeeds.map(async (name) => {
        for (const ip of await resolveAll(name)) add(ip, this.opts.dnsSeedPort);
      }),
    ]);
    const self = [endpointKey(this.m.node.record.udp), endpointKey(this.m.node.localEndpoint)];
    return [...out.values()].filter((e) => !self.includes(endpointKey(e)));
  }

  start(): void {
    if (!this.configured) return;
    void this.loop(this.opts.retryMs);
  }

  private async loop(retryMs: number): Promise<void> {
    if (this.stopped) return;
    let next = this.opts.reresolveMs;
    try {
      const endpoints = await this.endpoints();
      if (this.m.node.table.size === 0) {
        const n = await this.m.node.bootstrap(endpoints);
        if (n === 0) next = retryMs;
        this.m.log.info({ endpoints: endpoints.length, contacts: n }, "dht bootstrap attempt");
      } else {
        const fresh = endpoints.filter((e) => !this.seen.has(endpointKey(e)));
        await Promise.all(fresh.map((e) => this.m.node.ping(e)));
      }
      for (const e of endpoints) this.seen.add(endpointKey(e));
    } catch (err) {
      this.lastError = (err as Error).message;
      next = retryMs;
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(Math.min(retryMs * 2, 60_000)), next);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
