import type { ServiceName } from "@p2pnode/types";

/**
 * A small V8 young generation (1 MiB semi-spaces instead of up to 16): six service processes per
 * node, and a 5-node devnet with V8's default sizing measured ~3.0 GiB, mostly empty semi-spaces;
 * this brought a node from ~610 to ~530 MiB.
 */
const SMALL_YOUNG_GENERATION: readonly string[] = ["--max-semi-space-size=1"];

/**
 * The chain keeps V8's default: it decodes, checks and stores every tx and block, and with 1 MiB
 * semi-spaces it spends much of that time scavenging. Five alternating pairs of its benches, the
 * flag given to the bench process (medians, default against 1 MiB): a 1,000-tx block's commit
 * 0.45× against 0.37× of the bare SQL (CPU per block 22–33 against 33–53 ms), REST POST /txs
 * 0.42× against 0.35× of the trivial route, admission's main-thread CPU 34 against 49 µs per tx.
 */
const DEFAULTS: Partial<Record<ServiceName, readonly string[]>> = { chain: [] };

/**
 * The Node.js flags a service process starts with: P2PNODE_SERVICE_NODE_FLAGS for every service
 * when it is set (the operator's choice), otherwise the service's default.
 */
export function serviceNodeFlagsOf(
  name: ServiceName,
  configured: readonly string[] | undefined,
): readonly string[] {
  return configured ?? DEFAULTS[name] ?? SMALL_YOUNG_GENERATION;
}
