import { encodeHeader, HEADER_VERSION, headerToJson, MAX_TEMPLATE_TX_BYTES } from "@p2pnode/codec";
import { sha256, txRoot } from "@p2pnode/crypto";
import type { BlockTemplate } from "@p2pnode/types";
import type { Chain } from "./chain.js";
import type { PoolTx } from "./mempool.js";
import { ShieldedOverlay } from "./shielded-state.js";
import { applyTx, StateOverlay } from "./state.js";
import { hex, unhex } from "./store.js";

export interface TemplateOptions {
  /** Most txs in a template: 1,000 (the benchmark's block size) keeps the miner's rebuilds cheap. */
  maxTxs: number;
  /**
   * Most encoded tx bytes in a template: the size table's MAX_TEMPLATE_TX_BYTES keeps the block
   * within MAX_BLOCK_BYTES and the template within the bus's max_payload.
   */
  maxBytes: number;
}

export const defaultTemplateOptions: TemplateOptions = { maxTxs: 1_000, maxBytes: MAX_TEMPLATE_TX_BYTES };

/**
 * A block template on the current tip: the mempool's best txs (each checked again against the
 * tip's state, so a template never fails for state reasons), the target the retarget rule asks
 * for, and a timestamp of now (or just past the median time if the clock lags).
 */
export function buildTemplate(chain: Chain, minerHex: string, o: TemplateOptions): BlockTemplate {
  const tip = chain.tipBlock;
  const state = new StateOverlay(chain.store);
  const shielded = new ShieldedOverlay(chain.store);
  const fits = (t: PoolTx) => {
    try {
      applyTx(state, t.stx, t.sender, undefined, shielded);
      return true;
    } catch {
      return false;
    }
  };
  const transparent = chain.mempool.select(o.maxTxs, o.maxBytes, fits);
  const used = transparent.reduce((n, t) => n + t.size, 0);
  const txs = [
    ...transparent,
    ...chain.shieldedPool.select(o.maxTxs - transparent.length, o.maxBytes - used, fits),
  ];
  const target = chain.ancestry.targetAfter(tip, chain.retarget);
  const timestamp = Math.max(chain.clock(), chain.ancestry.medianTimePast(tip) + 1);
  const miner = unhex(minerHex);
  const header = {
    version: HEADER_VERSION,
    height: tip.height + 1,
    prevHash: tip.hash,
    txRoot: txRoot(txs.map((t) => t.id)),
    stateRoot: new Uint8Array(32),
    timestamp,
    target,
    miner,
    nonce: 0n,
  };
  const revision = new Uint8Array(4);
  new DataView(revision.buffer).setUint32(0, chain.mempool.revision >>> 0);
  return {
    header: headerToJson(header),
    txs: txs.map((t) => t.bytes), // the bytes the pool accepted, not encoded again
    headerHex: hex(encodeHeader(header)),
    templateId: hex(sha256(tip.hash, revision, miner, target)).slice(0, 32),
  };
}
