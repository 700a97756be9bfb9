import type { ChainClient } from "@p2pnode/sdk";
import {
  addressOf,
  type PreparedSpend,
  prepareSpend,
  type ShieldedAddress,
  type SpendingKey,
} from "@p2pnode/shielded";
import type { SignedTransactionJson } from "@p2pnode/types";
import { pickNotes, scanBlocks, type WalletView } from "./wallet.js";

/** Every main-chain block's txs, from height 1 to the tip, through the chain's REST API. */
export async function scanChain(chain: ChainClient, sk: SpendingKey): Promise<WalletView> {
  const tip = await chain.tip();
  const blocks: SignedTransactionJson[][] = [];
  for (let h = 1; h <= tip.height; h++) blocks.push((await chain.block(h)).txs);
  return scanBlocks(sk, blocks);
}

/** What a spend pays: `amount` to a shielded address (send) or out of the pool (unshield). */
export type SpendTarget = { pay: ShieldedAddress } | { publicOut: true };

/**
 * The one way a spend is planned (CLI send/unshield, and tests that build transfers as the CLI
 * does): scan the key's notes, pick those covering amount + fee, pay the target and return the
 * change to the key itself.
 */
export async function planSpend(
  chain: ChainClient,
  sk: SpendingKey,
  amount: bigint,
  fee: bigint,
  target: SpendTarget,
): Promise<{ chainId: string; prep: PreparedSpend }> {
  const [tip, view] = await Promise.all([chain.tip(), scanChain(chain, sk)]);
  const inputs = pickNotes(view.notes, amount + fee);
  const change = inputs.reduce((s, n) => s + n.note.value, 0n) - amount - fee;
  const self = { to: addressOf(sk), value: change };
  const prep =
    "pay" in target
      ? prepareSpend({ sk, inputs, tree: view.tree, outputs: [{ to: target.pay, value: amount }, self], fee })
      : prepareSpend({ sk, inputs, tree: view.tree, outputs: [self], publicOut: amount, fee });
  return { chainId: tip.chainId, prep };
}
