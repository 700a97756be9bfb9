import { type Block, decodeBlock, equalBytes } from "@p2pnode/codec";
import { type CheckedTx, type PreparedBlock, prepareTx } from "@p2pnode/rules";
import type { Ancestry } from "./ancestry.js";
import { ChainError, ChainFault, reject } from "./errors.js";
import { revertShielded, ShieldedOverlay } from "./shielded-state.js";
import { applyBlock, StateOverlay } from "./state.js";
import { type BlockMeta, type ChainStore, hex, unhex } from "./store.js";
import { workOf } from "./work.js";

export interface ForkChoiceOptions {
  /** Paid with the fees to each block's miner (genesis consensus.blockReward). */
  blockReward: bigint;
  chainId: string;
}

/** A block's decoded transactions, as needed to apply it or return them to the mempool. */
export interface BlockTxs {
  meta: BlockMeta;
  block: Block;
  txs: CheckedTx[];
}

export interface CommitResult {
  status: "connected" | "side" | "reorg";
  meta: BlockMeta;
  /** New tip (unchanged for a side block). */
  tip: BlockMeta;
  /** Blocks taken off the main chain by a reorg, newest first. */
  disconnected: BlockTxs[];
  /** Blocks put on the main chain, oldest first. */
  connected: BlockTxs[];
}

/**
 * Fork choice by most cumulative work. `commit` stores a validated block and, when its branch
 * is heavier than the tip's, moves the main chain onto it: disconnect down to the fork point
 * using each block's undo data, then connect the branch block by block, applying state. The
 * caller runs it inside one SQLite transaction, so a failure anywhere leaves nothing changed.
 */
export class ForkChoice {
  constructor(
    private readonly o: ForkChoiceOptions,
    private readonly m: { store: ChainStore; ancestry: Ancestry },
  ) {}

  commit(p: PreparedBlock, parent: BlockMeta, tip: BlockMeta, receivedAt: number): CommitResult {
    const meta: BlockMeta = {
      hash: p.hash,
      height: p.block.header.height,
      prevHash: p.block.header.prevHash,
      header: p.block.header,
      headerBytes: p.headerBytes,
      txCount: p.txs.length,
      size: p.body.length,
      totalWork: parent.totalWork + workOf(p.block.header.target),
      status: "side",
      receivedAt,
    };
    const own: BlockTxs = { meta, block: p.block, txs: p.txs };
    if (equalBytes(parent.hash, tip.hash)) {
      this.connect(own, p.body);
      return { status: "connected", meta, tip: meta, disconnected: [], connected: [own] };
    }
    this.m.store.insertBlock(meta, p.body);
    // Ties keep the first-seen chain: switching on equal work would let anyone flip-flop nodes.
    if (meta.totalWork <= tip.totalWork) {
      return { status: "side", meta, tip, disconnected: [], connected: [] };
    }
    const { fork, branch } = this.m.ancestry.forkPoint(meta);
    const disconnected: BlockTxs[] = [];
    for (let cur = tip; cur.height > fork.height; cur = this.m.ancestry.parent(cur)) {
      disconnected.push(this.disconnect(cur));
    }
    const connected = branch.map((b) => (equalBytes(b.hash, meta.hash) ? own : this.load(b)));
    for (const b of connected) this.connect(b);
    return { status: "reorg", meta, tip: meta, disconnected, connected };
  }

  /**
   * Applies a block's state on top of the current tip and makes it the tip. `newBody`: the block
   * is not stored yet, and is inserted as a main-chain block with its undo data in one write.
   */
  connect(b: BlockTxs, newBody?: Uint8Array): void {
    const { store } = this.m;
    const state = new StateOverlay(store);
    const shielded = new ShieldedOverlay(store);
    try {
      applyBlock(state, b.txs, b.meta.header.miner, this.o.blockReward, shielded);
    } catch (err) {
      if (!(err instanceof ChainError)) throw err;
      throw reject(err.code, `block ${b.meta.height} ${hex(b.meta.hash)}: ${err.message}`, {
        ...(err.details as object),
        block: hex(b.meta.hash),
        height: b.meta.height,
      });
    }
    for (const w of state.writes()) store.putAccount(w.address, w.after);
    shielded.commit(b.meta.hash, b.meta.height);
    if (newBody) store.insertBlock({ ...b.meta, status: "main" }, newBody, state.undo());
    else store.setStatus(b.meta.hash, "main", state.undo());
    store.setMain(b.meta.height, b.meta.hash);
    store.indexTxs(
      b.meta.hash,
      b.meta.height,
      b.txs.map((t) => t.id),
    );
    store.setMeta("tip", hex(b.meta.hash));
  }

  /** Reverts the tip block's state from its undo data; its parent becomes the tip. */
  disconnect(meta: BlockMeta): BlockTxs {
    const { store } = this.m;
    if (meta.height === 0) throw new ChainFault("INTERNAL", "fork choice tried to disconnect genesis");
    for (const u of store.undo(meta.hash)) {
      if (u.before) store.putAccount(u.address, u.before);
      else store.deleteAccount(u.address);
    }
    revertShielded(store, meta.hash, meta.height);
    store.unindexTxs(meta.height);
    store.deleteMain(meta.height);
    store.setStatus(meta.hash, "side");
    store.setMeta("tip", hex(meta.prevHash));
    return this.load(meta);
  }

  /**
   * On start: the accounts and tx index tables hold the main chain up to the block meta
   * `flushed_at` names, and the blocks above it (committed, their account writes and index rows
   * still in memory when the process died) are applied again, their txs as they were when the
   * blocks were accepted. The result is flushed; returns how many blocks were replayed.
   */
  replayAboveFlush(): number {
    const { store, ancestry } = this.m;
    const tipHex = store.getMeta("tip");
    const atHex = store.getMeta("flushed_at");
    if (tipHex === undefined || atHex === undefined || atHex === tipHex) return 0;
    const tip = store.blockMeta(unhex(tipHex));
    const at = store.blockMeta(unhex(atHex));
    if (!tip || !at || !ancestry.isMain(at) || at.height > tip.height) {
      throw new ChainFault(
        "INTERNAL",
        `chain store: accounts and tx index were last written at block ${atHex}, which is not on the main chain below the tip`,
      );
    }
    store.transaction(() => {
      for (let height = at.height + 1; height <= tip.height; height++) {
        const b = this.load(ancestry.at(tip, height));
        const state = new StateOverlay(store);
        applyBlock(state, b.txs, b.meta.header.miner, this.o.blockReward);
        for (const w of state.writes()) store.putAccount(w.address, w.after);
        store.indexTxs(
          b.meta.hash,
          height,
          b.txs.map((t) => t.id),
        );
      }
      store.flush(); // at the end of this transaction
    });
    return tip.height - at.height;
  }

  /** Decodes a stored block's transactions (verified when the block was accepted). */
  load(meta: BlockMeta): BlockTxs {
    const body = this.m.store.blockBody(meta.hash);
    if (!body) throw new ChainFault("INTERNAL", `store: body of ${hex(meta.hash)} is missing`);
    const block = decodeBlock(body);
    return {
      meta,
      block,
      txs: block.txs.map((stx) => prepareTx(stx, { chainId: this.o.chainId, minFee: 0n })),
    };
  }
}
