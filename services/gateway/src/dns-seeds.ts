import { lookup } from "node:dns/promises";
import type { Logger } from "@p2pnode/kit";

/** How often seeds are resolved again: a pod's or container's address changes when it restarts. */
export const DNS_SEED_INTERVAL_MS = 60_000;

/**
 * Resolves P2PNODE_DNS_SEEDS (the compose service name, the Kubernetes headless Service) now and
 * periodically; every A/AAAA record is a node whose P2P port is the same as ours (one layout for
 * every container and pod). Returns a stop function.
 */
export function watchDnsSeeds(
  seeds: string[],
  p2pPort: number,
  add: (ip: string, port: number) => void,
  log: Logger,
  intervalMs = DNS_SEED_INTERVAL_MS,
): () => void {
  if (seeds.length === 0) return () => undefined;
  const resolveAll = async () => {
    for (const seed of seeds) {
      try {
        for (const a of await lookup(seed, { all: true })) add(a.address, p2pPort);
      } catch (err) {
        log.debug({ seed, err: (err as Error).message }, "dns seed did not resolve");
      }
    }
  };
  void resolveAll();
  const timer = setInterval(() => void resolveAll(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
