import type { Chain } from "../chain.js";
import { hex } from "../store.js";

/**
 * Block hashes from our tip back to genesis: the last 10 one by one, then doubling the step
 * (Bitcoin's block locator). A peer answers from the first hash on its own best chain, so a
 * fork of any depth is found in one round trip with ~log2(height) hashes.
 */
export function blockLocator(chain: Chain, max = 64): string[] {
  const out: string[] = [];
  let step = 1;
  for (let h = chain.tipBlock.height; h > 0 && out.length < max - 1; h -= step) {
    const hash = chain.store.mainHashAt(h);
    if (hash) out.push(hex(hash));
    if (out.length >= 10) step *= 2;
  }
  out.push(hex(chain.genesisHash));
  return out;
}
