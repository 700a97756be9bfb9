import { nodeKeyFromSeed, sha256 } from "@p2pnode/crypto";
import { seededRandom } from "@p2pnode/kit";
import { DhtNode, type DhtNodeOptions } from "./dht-node.js";
import type { Endpoint } from "./endpoint.js";
import type { LookupResult } from "./lookup.js";
import { MemoryNetwork } from "./memory-transport.js";
import { createSigner, createVerifier } from "./signing.js";
import { MemoryValueStore } from "./store.js";
import { ValueProtocol, type ValueProtocolOptions } from "./value-protocol.js";
import { commonPrefixBits, compareDistance } from "./xor-metric.js";

/*
 * Many DhtNodes in one process over a MemoryNetwork (virtual time). The nodes are the service's
 * own DhtNode and ValueProtocol; only the transport, clock and store differ. Used by the simulation
 * tests and by bench/lookup-sim.ts.
 */

export interface SimulationOptions {
  nodes: number;
  seed?: number;
  node?: Partial<Omit<DhtNodeOptions, "record">>;
  values?: Partial<ValueProtocolOptions>;
  /** One-way access delay range per node in ms. Default 5..40. */
  accessDelayMs?: [number, number];
}

export interface SimNode {
  index: number;
  endpoint: Endpoint;
  node: DhtNode;
  values: ValueProtocol;
  store: MemoryValueStore;
}

export interface MeasuredLookup {
  result: LookupResult<never>;
  /** Datagrams sent network-wide while the lookup ran (its queries, answers, and any ping-backs). */
  messages: number;
  virtualMs: number;
  cpuMs: number;
}

/** Distinct public-looking addresses, one /24 per node, so the Sybil limits stay on as in production. */
export const simEndpoint = (i: number): Endpoint => ({
  host: `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`,
  port: 7401,
});

/** The chain id every simulated node signs under. */
export const SIM_CHAIN_ID = "p2pnode-sim";

export class Simulation {
  readonly network: MemoryNetwork;
  readonly nodes: SimNode[] = [];
  readonly random: () => number;

  constructor(readonly opts: SimulationOptions) {
    const seed = opts.seed ?? 1;
    this.random = seededRandom(seed ^ 0x5eed);
    this.network = new MemoryNetwork({ seed, accessDelayMs: opts.accessDelayMs });
    const verifier = createVerifier(SIM_CHAIN_ID);
    for (let i = 0; i < opts.nodes; i++) {
      const key = nodeKeyFromSeed(sha256(Uint8Array.of(seed >> 8, seed & 255, i >> 8, i & 255)));
      const endpoint = simEndpoint(i);
      const transport = this.network.attach(endpoint);
      const node = new DhtNode(
        {
          refreshIntervalMs: 0,
          revalidateIntervalMs: 0,
          ...opts.node,
          record: { roles: ["full"], udp: endpoint, wsPort: 7101 },
          recordSeq: 1,
        },
        {
          transport,
          signer: createSigner(key, SIM_CHAIN_ID),
          verifier,
          clock: this.network,
        },
      );
      const store = new MemoryValueStore();
      const values = new ValueProtocol({ republishIntervalMs: 0, ...opts.values }, { node, store });
      this.nodes.push({ index: i, endpoint, node, values, store });
    }
  }

  /**
   * Fills every table as a converged network's would be: in each bucket up to k random members of
   * that bucket's id range, all verified with their signed records. Cheap for 1,000 nodes, where
   * joining one by one would cost ~10 lookups per node.
   */
  warmTables(): void {
    for (const a of this.nodes) {
      const byBucket = new Map<number, SimNode[]>();
      for (const b of this.nodes) {
        if (a === b) continue;
        const i = commonPrefixBits(a.node.selfId, b.node.selfId);
        const list = byBucket.get(i) ?? [];
        if (list.length === 0) byBucket.set(i, list);
        list.push(b);
      }
      for (const list of byBucket.values()) {
        this.shuffle(list);
        for (const b of list.slice(0, a.node.opts.k)) {
          a.node.addVerified(
            {
              id: b.node.selfId,
              idHex: b.node.selfIdHex,
              publicKey: b.node.signer.publicKey,
              endpoint: b.endpoint,
            },
            b.node.record,
          );
        }
      }
    }
  }

  /** Real joins: node i bootstraps from node 0 only, one after another. */
  async joinAll(count = this.nodes.length): Promise<void> {
    for (let i = 1; i < count; i++) await this.run(this.nodes[i]!.node.bootstrap([this.nodes[0]!.endpoint]));
  }

  run<T>(work: Promise<T>): Promise<T> {
    return this.network.run(work);
  }

  async lookup(from: SimNode, target: Uint8Array): Promise<MeasuredLookup> {
    const sent = this.network.counters.sent;
    const t0 = this.network.now();
    const c0 = performance.now();
    const result = await this.run(from.node.lookup(target));
    return {
      result,
      messages: this.network.counters.sent - sent,
      virtualMs: this.network.now() - t0,
      cpuMs: performance.now() - c0,
    };
  }

  /** The true k closest nodes to `target` among those `alive`, excluding `exclude`. */
  trueClosest(
    target: Uint8Array,
    k: number,
    exclude: SimNode,
    alive: (n: SimNode) => boolean = () => true,
  ): SimNode[] {
    return this.nodes
      .filter((n) => n !== exclude && alive(n))
      .sort((a, b) => compareDistance(target, a.node.selfId, b.node.selfId))
      .slice(0, k);
  }

  /** Makes a random share of nodes drop all traffic; returns them. */
  dropShare(share: number): Set<SimNode> {
    const order = this.shuffle([...this.nodes]);
    const dropped = new Set(order.slice(0, Math.round(share * this.nodes.length)));
    for (const n of this.nodes) this.network.setDropping(n.endpoint, dropped.has(n));
    return dropped;
  }

  randomId(): Uint8Array {
    const id = new Uint8Array(32);
    for (let i = 0; i < 32; i++) id[i] = Math.floor(this.random() * 256);
    return id;
  }

  pick<T>(list: T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  private shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }
}

/** Median, percentiles and the histogram of a list of counts. */
export function distribution(values: number[]): {
  median: number;
  p90: number;
  max: number;
  histogram: Record<number, number>;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const histogram: Record<number, number> = {};
  for (const v of sorted) histogram[v] = (histogram[v] ?? 0) + 1;
  return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] ?? 0, histogram };
}
