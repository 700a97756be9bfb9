import { type BlockHeader, decodeBlock, encodeSignedTransaction } from "@p2pnode/codec";
import type { Chain } from "../chain.js";
import { findBlock } from "../queries.js";
import { hex, unhex } from "../store.js";

/**
 * Best-chain headers after the first locator hash that is on our best chain; without one, from
 * `fromHeight` (genesis + 1 when absent); up to `max`, stopping early at `stop`: the answer to a
 * peer's get-headers and to a light peer's chain request.
 */
export function headersAfter(
  chain: Chain,
  locator: readonly string[],
  max: number,
  stop?: string,
  fromHeight?: number,
): BlockHeader[] {
  let start = Math.max(1, fromHeight ?? 1);
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

/** A stored block (any branch) as its codec bytes with its height, or undefined: the answer to get-blocks. */
export function blockByHash(
  chain: Chain,
  hashHex: string,
): { block: Uint8Array; height: number; onBestChain: boolean } | undefined {
  const m = findBlock(chain, hashHex);
  const body = m && chain.store.blockBody(m.hash);
  if (!m || !body) return undefined;
  return { block: body, height: m.height, onBestChain: chain.ancestry.isMain(m) };
}

/** A tx's codec bytes from the mempool or the best chain, or undefined: the answer to getdata. */
export function txBytes(
  chain: Chain,
  idHex: string,
): { tx: Uint8Array; status: "mempool" | "confirmed" } | undefined {
  const pending = chain.mempool.get(idHex);
  if (pending) return { tx: pending.bytes, status: "mempool" };
  const loc = chain.store.txLocation(unhex(idHex));
  const body = loc && chain.store.blockBody(loc.blockHash);
  if (!loc || !body) return undefined;
  return { tx: encodeSignedTransaction(decodeBlock(body).txs[loc.index]!), status: "confirmed" };
}
