import type { Genesis } from "@p2pnode/types";

/** What the devnet faucet wallet holds at genesis: 1,000,000 coins of 10^8 base units. */
export const FAUCET_BALANCE = "100000000000000";

/**
 * A devnet genesis: low initial difficulty and a short block time so a laptop mines quickly, and
 * the faucet wallet funded so transactions can be sent from the first block on.
 */
export function devnetGenesis(chainId: string, now = Date.now(), faucetAddress?: string): Genesis {
  return {
    chainId,
    timestamp: now,
    allocations: faucetAddress ? [{ address: faucetAddress, balance: FAUCET_BALANCE }] : [],
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
