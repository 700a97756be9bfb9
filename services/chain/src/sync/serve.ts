import type { BlockHeader } from "@p2pnode/codec";
import type { Chain } from "../chain.js";
import { findBlock } from "../queries.js";
import { hex, unhex } from "../store.js";

/**
 * Best-chain headers after the first locator hash that is on our best chain (genesis when none
 * is), up to `max`, stopping early at `stop`: the answer to a peer's get-headers.
 */
export function headersAfter(
  chain: Chain,
  locator: readonly string[],
  max: number,
  stop?: string,
): BlockHeader[] {
  let start = 1;
  for (const h of locator) {
    const m = chain.store.blockMeta(unhex(h));
    if (m && chain.ancestry.isMain(m)) {
      start = m.height + 1;
      break;
    }
  }
  const headers: BlockHeader[] = [];
  for (let h = start; h <= chain.tipBlock.height && headers.length < max; h++) {
    const hash = chain.store.mainHashAt(h);
    const m = hash && chain.store.blockMeta(hash);
    if (!m) break;
    headers.push(m.header);
    if (stop !== undefined && hex(m.hash) === stop) break;
  }
  return headers;
}

/** A stored block (any branch) as its codec bytes with its height, or undefined: block.get's answer. */
export function blockByHash(
  chain: Chain,
  hashHex: string,
): { block: Uint8Array; height: number; onBestChain: boolean } | undefined {
  const m = findBlock(chain, hashHex);
  const body = m && chain.store.blockBody(m.hash);
  if (!m || !body) return undefined;
  return { block: body, height: m.height, onBestChain: chain.ancestry.isMain(m) };
}
