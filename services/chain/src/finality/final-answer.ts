import { BUS_SYNC_ANSWER_BYTES, itemsWithinBudget } from "@p2pnode/codec";
import type { FinalBlock, FinalGetReply } from "@p2pnode/types";
import type { Chain } from "../chain.js";

/**
 * The final.get answer: main-chain blocks from `fromHeight` on with their certificates, at most
 * `max`, cut by bytes (block and certificate) to BUS_SYNC_ANSWER_BYTES with the size table's rule
 * (the first block always goes); `next` is the height of the first block left out by the cut.
 */
export function finalAnswer(chain: Chain, fromHeight: number, max: number): FinalGetReply {
  const from = Math.max(1, fromHeight);
  const items: FinalBlock[] = [];
  let bytes = 0;
  // Read one block past the budget at most: the cut below leaves it out and names its height.
  for (
    let h = from;
    h <= chain.tipBlock.height && items.length < max && bytes <= BUS_SYNC_ANSWER_BYTES;
    h++
  ) {
    const hash = chain.store.mainHashAt(h);
    const block = hash && chain.store.blockBody(hash);
    const cert = hash && chain.finality!.store.certificate(hash);
    if (!block || !cert) break;
    items.push({ block, certificate: cert.bytes });
    bytes += block.length + cert.bytes.length;
  }
  const n = itemsWithinBudget(
    items.map((it) => it.block.length + it.certificate.length),
    BUS_SYNC_ANSWER_BYTES,
  );
  return { items: items.slice(0, n), next: n < items.length ? from + n : null };
}
