import { blockToJson, decodeBlock, signedTransactionToJson } from "@p2pnode/codec";
import { merkleProof, txId } from "@p2pnode/crypto";
import type { AccountState, BlockDetail, BlockSummary, MempoolPage, TxStatus } from "@p2pnode/types";
import type { Chain } from "./chain.js";
import { ChainFault } from "./errors.js";
import type { PoolTx } from "./mempool.js";
import { type BlockMeta, hex, unhex } from "./store.js";

/*
 * The read side of the REST API: plain functions over a Chain, answering with the shapes of
 * @p2pnode/types (chain-api.ts). Every list is bounded by its caller's page cap.
 */

export function blockSummary(chain: Chain, m: BlockMeta): BlockSummary {
  const main = chain.ancestry.isMain(m);
  return {
    hash: hex(m.hash),
    height: m.height,
    header: blockToJson({ header: m.header, txs: [] }).header,
    txCount: m.txCount,
    sizeBytes: m.size,
    totalWork: m.totalWork.toString(),
    status: main ? "main" : m.status === "invalid" ? "invalid" : "side",
    receivedAt: m.receivedAt,
    ...finalityOf(chain, m, main),
  };
}

/** Dolev-Strong networks: every main-chain block is final; the genesis block needs no certificate. */
function finalityOf(chain: Chain, m: BlockMeta, main: boolean): Pick<BlockSummary, "final" | "certificate"> {
  if (!chain.finality) return {};
  const certificate = chain.finality.certificateJson(m.hash);
  return { final: main && (m.height === 0 || certificate !== null), certificate };
}

/** A block by hash (any branch) or by height (main chain). */
export function findBlock(chain: Chain, hashOrHeight: string): BlockMeta | undefined {
  if (/^[0-9a-f]{64}$/.test(hashOrHeight)) return chain.store.blockMeta(unhex(hashOrHeight));
  const height = Number(hashOrHeight);
  const hash = chain.store.mainHashAt(height);
  return hash && chain.store.blockMeta(hash);
}

export function blockDetail(chain: Chain, m: BlockMeta): BlockDetail {
  const block = decodeBlock(loadBody(chain, m));
  const ids = block.txs.map((stx) => txId(stx));
  const summary = blockSummary(chain, m);
  return {
    ...summary,
    txs: blockToJson(block, m.hash, ids).txs,
    confirmations: summary.status === "main" ? chain.tipBlock.height - m.height + 1 : 0,
  };
}

/** Main-chain blocks from `from` upwards; without `from`, the last `limit` blocks. */
export function listBlocks(chain: Chain, from: number | undefined, limit: number) {
  const tipHeight = chain.tipBlock.height;
  const start = from ?? Math.max(0, tipHeight - limit + 1);
  const blocks: BlockSummary[] = [];
  for (let h = start; h <= tipHeight && blocks.length < limit; h++) {
    const hash = chain.store.mainHashAt(h);
    const m = hash && chain.store.blockMeta(hash);
    if (m) blocks.push(blockSummary(chain, m));
  }
  const next = start + limit;
  return { blocks, tipHeight, next: next <= tipHeight ? next : null };
}

/** A pending tx by id, from either pool: the Mempool (signed kinds) or the ShieldedPool (unsigned). */
export function pendingTx(chain: Chain, idHex: string): PoolTx | undefined {
  return chain.mempool.get(idHex) ?? chain.shieldedPool.get(idHex);
}

export function txStatus(chain: Chain, idHex: string): TxStatus | undefined {
  const pending = pendingTx(chain, idHex);
  if (pending) return { id: idHex, status: "pending", tx: signedTransactionToJson(pending.stx, pending.id) };
  const loc = chain.store.txLocation(unhex(idHex));
  if (!loc) return undefined;
  const meta = chain.store.blockMeta(loc.blockHash);
  if (!meta) throw new ChainFault("INTERNAL", `tx index points at a missing block ${hex(loc.blockHash)}`);
  const block = decodeBlock(loadBody(chain, meta));
  const ids = block.txs.map((stx) => txId(stx));
  const proof = merkleProof(ids, loc.index);
  return {
    id: idHex,
    status: "mined",
    tx: signedTransactionToJson(block.txs[loc.index]!, ids[loc.index]),
    block: { hash: hex(meta.hash), height: meta.height, index: loc.index },
    confirmations: chain.tipBlock.height - meta.height + 1,
    proof: { index: proof.index, size: proof.size, path: proof.path.map(hex), root: hex(meta.header.txRoot) },
  };
}

export function accountState(chain: Chain, addressHex: string): AccountState {
  const a = chain.store.account(unhex(addressHex)) ?? { balance: 0n, nonce: 0 };
  const pending = chain.mempool.queueOf(addressHex).length;
  return {
    address: addressHex,
    balance: a.balance.toString(),
    nonce: a.nonce,
    pendingNonce: a.nonce + pending,
    pendingTxs: pending,
  };
}

/** The account-queued txs by fee per byte, then the unsigned shielded ones (shielded-pool.ts). */
export function mempoolPage(chain: Chain, offset: number, limit: number): MempoolPage {
  const queued = chain.mempool.size;
  const shielded = chain.shieldedPool.all();
  const txs = [
    ...chain.mempool.page(offset, limit),
    ...shielded.slice(Math.max(0, offset - queued), Math.max(0, offset + limit - queued)),
  ]
    .slice(0, limit)
    .map(mempoolTx);
  const count = queued + shielded.length;
  const next = offset + txs.length;
  return {
    count,
    bytes: chain.mempool.bytes + shielded.reduce((n, t) => n + t.size, 0),
    txs,
    next: next < count ? next : null,
  };
}

function mempoolTx(t: PoolTx) {
  const { tx } = t.stx;
  return {
    id: t.idHex,
    kind: tx.kind,
    from: t.senderHex,
    to: tx.kind === "transfer" || tx.kind === "unshield" ? hex(tx.to) : "",
    amount: tx.kind === "shielded" ? "0" : tx.amount.toString(),
    fee: t.fee.toString(),
    nonce: t.nonce,
    sizeBytes: t.size,
    receivedAt: t.receivedAt,
  };
}

function loadBody(chain: Chain, m: BlockMeta): Uint8Array {
  const body = chain.store.blockBody(m.hash);
  if (!body) throw new ChainFault("INTERNAL", `store: body of ${hex(m.hash)} is missing`);
  return body;
}
