import type { Genesis } from "@p2pnode/types";

/**
 * A devnet genesis: low initial difficulty and a short block time so a laptop mines quickly.
 * Allocations are added by the chain tooling (faucet wallets) when it exists.
 */
export function devnetGenesis(chainId: string, now = Date.now()): Genesis {
  return {
    chainId,
    timestamp: now,
    allocations: [],
    consensus: {
      targetBlockTimeMs: 2_000,
      // ~2^16 hashes per block on average: a few per second on one core.
      initialTarget: `0000${"f".repeat(60)}`,
      retargetWindow: 20,
      blockReward: "5000000000",
    },
    validators: [],
  };
}
