import { seededRandom } from "@p2pnode/kit";
import type { ChaosManifest, PerturbationKind } from "./manifest.js";

export interface Perturbation {
  /** Milliseconds from the start of the load. */
  atMs: number;
  kind: PerturbationKind;
  /** The node hit (kill, pause, restart, disconnect, netem); for a partition, the minority side. */
  nodes: number[];
  /** How long it lasts before it is undone (kill and restart: 0, they end when the node is back). */
  durationMs: number;
  /** netem only: added delay and loss on the node's link. */
  delayMs?: number;
  lossPct?: number;
}

/**
 * The fault schedule of a manifest: a pure function of the manifest (its seed included), so a
 * seed replays the same faults at the same offsets. The last miner is never faulted, so one
 * miner keeps extending the chain the others must converge on.
 */
export function schedule(
  m: ChaosManifest,
  kinds: readonly PerturbationKind[] = m.perturbations.kinds,
): Perturbation[] {
  const next = seededRandom(m.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const steady = m.miners - 1;
  const faultable = Array.from({ length: m.nodes }, (_, i) => i).filter((i) => i !== steady);
  const out: Perturbation[] = [];
  const faultMs = m.perturbations.faultSec * 1000;
  const endMs = m.durationSec * 1000;
  for (
    let at = m.perturbations.warmupSec * 1000;
    at + faultMs <= endMs;
    at += m.perturbations.intervalSec * 1000
  ) {
    const kind = pick(kinds);
    if (kind === "partition") {
      // A minority of up to half the nodes, never the steady miner.
      const size = 1 + Math.floor(next() * Math.max(1, Math.floor(m.nodes / 2)));
      const pool = [...faultable];
      const side: number[] = [];
      while (side.length < size && pool.length > 0)
        side.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
      out.push({ atMs: at, kind, nodes: side.sort((a, b) => a - b), durationMs: faultMs });
      continue;
    }
    const node = pick(faultable);
    const durationMs = kind === "kill" || kind === "restart" ? 0 : faultMs;
    const p: Perturbation = { atMs: at, kind, nodes: [node], durationMs };
    if (kind === "netem") {
      p.delayMs = 50 + Math.floor(next() * 450);
      p.lossPct = Math.floor(next() * 20);
    }
    out.push(p);
  }
  return out;
}
