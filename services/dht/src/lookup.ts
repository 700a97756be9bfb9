import type { Endpoint } from "./endpoint.js";
import { compareDistance } from "./xor-metric.js";

/** A node a lookup may query: key, id and the address where it was verified. */
export interface LookupPeer {
  id: Uint8Array;
  idHex: string;
  publicKey: Uint8Array;
  endpoint: Endpoint;
}

export type QueryOutcome<V> =
  | { kind: "nodes"; peers: LookupPeer[] }
  | { kind: "value"; value: V; peers?: LookupPeer[] }
  | { kind: "failed" };

export interface LookupOptions<V> {
  /** Result size and the width of the converged set. Default 20. */
  k: number;
  /** Queries in flight at once. Default 3 (Kademlia's α). */
  alpha: number;
  /** Called for every value found; "stop" ends the lookup (content values), "continue" gathers more. */
  onValue?: (value: V, from: LookupPeer) => "stop" | "continue";
}

export interface LookupResult<V> {
  /** The k closest peers that answered, nearest first. */
  closest: LookupPeer[];
  values: { value: V; from: LookupPeer }[];
  /** Depth of the query tree at which the closest answering peer (or the first value) was reached. */
  hops: number;
  queried: number;
  failed: number;
}

type State = "new" | "pending" | "ok" | "failed";
interface Candidate {
  peer: LookupPeer;
  depth: number;
  state: State;
}

/**
 * Iterative Kademlia lookup, asynchronous variant: keep `alpha` queries in flight; query the closest
 * candidate not yet asked as long as it is among the k closest that have not failed; finish when
 * those k have all answered or failed. A peer that fails or lies only costs its own slot, so a share
 * of dead or dishonest nodes slows a lookup down without stopping it.
 */
export function iterativeLookup<V>(
  target: Uint8Array,
  selfIdHex: string,
  seeds: LookupPeer[],
  query: (peer: LookupPeer) => Promise<QueryOutcome<V>>,
  options: Partial<LookupOptions<V>> = {},
): Promise<LookupResult<V>> {
  const k = options.k ?? 20;
  const alpha = options.alpha ?? 3;
  const known = new Map<string, Candidate>();
  const order: Candidate[] = [];
  const values: { value: V; from: LookupPeer }[] = [];
  let inFlight = 0;
  let queried = 0;
  let failed = 0;
  let stopped = false;
  let valueDepth = 0;

  const addPeer = (peer: LookupPeer, depth: number): void => {
    if (peer.idHex === selfIdHex || known.has(peer.idHex)) return;
    const c: Candidate = { peer, depth, state: "new" };
    known.set(peer.idHex, c);
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareDistance(target, order[mid]!.peer.id, peer.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, c);
  };
  for (const s of seeds) addPeer(s, 1);

  return new Promise((resolve) => {
    const finish = () => {
      const ok = order.filter((c) => c.state === "ok").slice(0, k);
      resolve({
        closest: ok.map((c) => c.peer),
        values,
        hops: values.length > 0 && stopped ? valueDepth : (ok[0]?.depth ?? 0),
        queried,
        failed,
      });
    };

    const nextCandidate = (): Candidate | undefined => {
      let rank = 0;
      for (const c of order) {
        if (c.state === "failed") continue;
        if (rank++ >= k) return undefined;
        if (c.state === "new") return c;
      }
      return undefined;
    };

    const pump = (): void => {
      if (stopped) return;
      for (let c = nextCandidate(); c && inFlight < alpha; c = nextCandidate()) launch(c);
      if (inFlight === 0) {
        stopped = true;
        finish();
      }
    };

    const launch = (c: Candidate): void => {
      c.state = "pending";
      inFlight++;
      queried++;
      query(c.peer)
        .catch((): QueryOutcome<V> => ({ kind: "failed" }))
        .then((out) => {
          inFlight--;
          if (stopped) return;
          if (out.kind === "failed") {
            c.state = "failed";
            failed++;
          } else {
            c.state = "ok";
            for (const p of (out.peers ?? []).slice(0, k)) addPeer(p, c.depth + 1);
            if (out.kind === "value") {
              values.push({ value: out.value, from: c.peer });
              if ((options.onValue?.(out.value, c.peer) ?? "stop") === "stop") {
                valueDepth = c.depth;
                stopped = true;
                finish();
                return;
              }
            }
          }
          pump();
        });
    };

    pump();
  });
}
