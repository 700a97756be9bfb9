import { MAX_DATAGRAM_BYTES } from "@p2pnode/codec/dht";
import { seededRandom, VirtualClock } from "@p2pnode/kit";
import { type Endpoint, endpointKey } from "./endpoint.js";
import type { DatagramTransport } from "./transport.js";

/*
 * An in-memory datagram network with virtual time, for simulations of many DHT nodes in one process.
 * It is also the Clock of every node attached to it: timers and deliveries share one event queue,
 * so a 500 ms request timeout costs no wall-clock time and runs are reproducible for a given seed.
 */

export interface MemoryNetworkOptions {
  /** Seed of the latency generator. Default 1. */
  seed?: number;
  /** One-way latency is the sum of both ends' access delays, each drawn from [min, max] ms. Default 5..40. */
  accessDelayMs?: [number, number];
}

export interface NetworkCounters {
  sent: number;
  delivered: number;
  lost: number;
  bytes: number;
}

export class MemoryNetwork extends VirtualClock {
  private readonly nodes = new Map<string, MemoryTransport>();
  private readonly delay = new Map<string, number>();
  private readonly dropping = new Set<string>();
  private readonly random: () => number;
  private readonly access: [number, number];
  readonly counters: NetworkCounters = { sent: 0, delivered: 0, lost: 0, bytes: 0 };

  constructor(opts: MemoryNetworkOptions = {}) {
    super();
    this.random = seededRandom(opts.seed ?? 1);
    this.access = opts.accessDelayMs ?? [5, 40];
  }

  attach(local: Endpoint): MemoryTransport {
    const key = endpointKey(local);
    const t = new MemoryTransport(this, local);
    this.nodes.set(key, t);
    const [lo, hi] = this.access;
    this.delay.set(key, lo + this.random() * (hi - lo));
    return t;
  }

  detach(local: Endpoint): void {
    this.nodes.delete(endpointKey(local));
  }

  /** A dropping node neither sends nor receives anything (a crashed or firewalled peer). */
  setDropping(e: Endpoint, dropping: boolean): void {
    if (dropping) this.dropping.add(endpointKey(e));
    else this.dropping.delete(endpointKey(e));
  }

  isDropping(e: Endpoint): boolean {
    return this.dropping.has(endpointKey(e));
  }

  deliver(from: Endpoint, to: Endpoint, data: Uint8Array): void {
    this.counters.sent++;
    this.counters.bytes += data.length;
    const fromKey = endpointKey(from);
    const toKey = endpointKey(to);
    const target = this.nodes.get(toKey);
    if (
      !target ||
      this.dropping.has(fromKey) ||
      this.dropping.has(toKey) ||
      data.length > MAX_DATAGRAM_BYTES
    ) {
      this.counters.lost++;
      return;
    }
    const latency = (this.delay.get(fromKey) ?? 0) + (this.delay.get(toKey) ?? 0);
    this.setTimeout(() => {
      if (this.dropping.has(toKey)) {
        this.counters.lost++;
        return;
      }
      this.counters.delivered++;
      target.receive(data, from);
    }, latency);
  }
}

export class MemoryTransport implements DatagramTransport {
  private handler: (data: Uint8Array, from: Endpoint) => void = () => undefined;

  constructor(
    private readonly network: MemoryNetwork,
    readonly local: Endpoint,
  ) {}

  send(to: Endpoint, data: Uint8Array): void {
    this.network.deliver(this.local, to, data);
  }

  onDatagram(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  /** Test hook and network delivery: hands raw bytes to the node as if they came from `from`. */
  receive(data: Uint8Array, from: Endpoint): void {
    this.handler(data, from);
  }

  async close(): Promise<void> {
    this.network.detach(this.local);
  }
}
