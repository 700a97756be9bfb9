import { createHash, randomBytes } from "node:crypto";

/** What eviction looks at of an inbound peer. */
export interface EvictionCandidate {
  id: string;
  /** The group inbound limits count by (inboundGroup, or the IP on a loopback devnet). */
  group: string;
  latencyMs: number | null;
  /** Last time the peer relayed something new to us (a block or tx the chain accepted); 0: never. */
  lastUsefulAt: number;
  connectedAt: number;
  score: number;
}

/** How many peers each protection keeps (Bitcoin Core: 4 by netgroup, 8 by ping, 4 + 4 by relays). */
export const PROTECT = { byGroup: 4, byLatency: 4, byUseful: 4 };

/** Per-process key: which groups are protected cannot be predicted (or chosen) by a remote. */
const GROUP_KEY = randomBytes(16);
const keyedRank = (group: string) => createHash("sha256").update(GROUP_KEY).update(group).digest("hex");

/**
 * The inbound peer to drop to make room, or undefined when every peer is protected. As in
 * Bitcoin Core, peers are first protected for things an attacker cannot fake cheaply — distinct
 * address groups (chosen by a secret key), low latency, useful relays — and the victim is then
 * taken from the group holding the most slots: the lowest score, the youngest on a tie.
 * An attacker with many identities in one /24 thus evicts its own connections first.
 */
export function pickEvictionVictim(peers: EvictionCandidate[]): EvictionCandidate | undefined {
  const safe = new Set<string>();
  // With few slots, protections scale down (a quarter of the peers each) so some remain to evict.
  const share = (n: number) => Math.min(n, Math.floor(peers.length / 4));
  const protect = (sorted: EvictionCandidate[], n: number) => {
    let taken = 0;
    for (const p of sorted) {
      if (taken >= share(n)) break;
      if (safe.has(p.id)) continue;
      safe.add(p.id);
      taken++;
    }
  };
  const groupSize = new Map<string, number>();
  const oldestPerGroup = new Map<string, EvictionCandidate>();
  for (const p of peers) {
    groupSize.set(p.group, (groupSize.get(p.group) ?? 0) + 1);
    const o = oldestPerGroup.get(p.group);
    if (!o || p.connectedAt < o.connectedAt) oldestPerGroup.set(p.group, p);
  }
  protect(
    [...oldestPerGroup.values()].sort((a, b) => (keyedRank(a.group) < keyedRank(b.group) ? -1 : 1)),
    PROTECT.byGroup,
  );
  protect(
    peers.filter((p) => p.latencyMs !== null).sort((a, b) => a.latencyMs! - b.latencyMs!),
    PROTECT.byLatency,
  );
  protect(
    peers.filter((p) => p.lastUsefulAt > 0).sort((a, b) => b.lastUsefulAt - a.lastUsefulAt),
    PROTECT.byUseful,
  );
  const rest = peers.filter((p) => !safe.has(p.id));
  if (rest.length === 0) return undefined;
  // The group holding the most slots overall (protected ones count too) loses one.
  const size = (p: EvictionCandidate) => groupSize.get(p.group) ?? 0;
  return rest.sort((a, b) => size(b) - size(a) || a.score - b.score || b.connectedAt - a.connectedAt)[0];
}
