import { BytesMap } from "./bytes-map.js";
import type { Account, TxLocation } from "./store.js";

/*
 * Rows the chain's file does not hold yet (Bitcoin Core's dbcache: its coins cache is flushed to
 * disk every so often, not per block; its tx index is built behind the chain). A 1,000-tx block's
 * account upserts and tx index rows were half of its commit (bench:commit's profile): the index
 * rows land on random pages of their B-tree, so each block's COMMIT wrote most of the index again,
 * and the same accounts come back block after block. Here they wait in memory and are written
 * once per flush (ChainStore). Nothing is lost by a crash: the blocks are committed with their
 * bodies, and the store replays those above the last flush on start (ForkChoice.replayAboveFlush).
 * The pending values are the authority while they wait: reads look here first.
 */

/**
 * How a store transaction that rolls back takes its pending writes back out: each write leaves
 * the step that undoes it, and a rollback runs them back to where its transaction began.
 */
export class UndoLog {
  private readonly steps: (() => void)[] = [];

  mark(): number {
    return this.steps.length;
  }

  push(undo: () => void): void {
    this.steps.push(undo);
  }

  /** Undoes the writes made since `mark` (a transaction, or a nested one, rolled back). */
  rollBack(mark: number): void {
    while (this.steps.length > mark) this.steps.pop()!();
  }

  /** The outermost transaction committed: its writes stay. */
  clear(): void {
    this.steps.length = 0;
  }
}

/** Account writes waiting for the flush; null is a deleted account. */
export class PendingAccounts {
  private readonly entries = new BytesMap<Account | null>();

  constructor(private readonly log: UndoLog) {}

  get size(): number {
    return this.entries.size;
  }

  /** The pending value (a copy), null if deleted, undefined if none is pending. */
  get(address: Uint8Array): Account | null | undefined {
    const a = this.entries.get(address);
    return a ? { balance: a.balance, nonce: a.nonce } : a;
  }

  set(address: Uint8Array, a: Account | null): void {
    const before = this.entries.get(address);
    this.log.push(() => {
      if (before === undefined) this.entries.delete(address);
      else this.entries.set(address, before);
    });
    this.entries.set(address, a ? { balance: a.balance, nonce: a.nonce } : null);
  }

  /** Calls `fn` on every pending write (a flush writes them). */
  forEach(fn: (address: Uint8Array, a: Account | null) => void): void {
    this.entries.forEachEntry(fn);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** One main-chain block's tx index rows waiting for the flush (ids copied: no view keeps a body alive). */
interface PendingBlockTxs {
  blockHash: Uint8Array;
  height: number;
  ids: Uint8Array[];
}

/** Tx index rows waiting for the flush, by block height (one main-chain block per height). */
export class PendingTxIndex {
  private readonly byHeight = new Map<number, PendingBlockTxs>();
  private readonly byId = new BytesMap<TxLocation>({ borrowKeys: true });

  constructor(private readonly log: UndoLog) {}

  /** Rows waiting. */
  get size(): number {
    return this.byId.size;
  }

  get(id: Uint8Array): TxLocation | undefined {
    return this.byId.get(id);
  }

  add(blockHash: Uint8Array, height: number, ids: readonly Uint8Array[]): void {
    this.remove(height); // one main-chain block per height (a disconnect took it already)
    this.put({ blockHash: new Uint8Array(blockHash), height, ids: ids.map((id) => new Uint8Array(id)) });
    this.log.push(() => this.take(height));
  }

  /** Drops the rows of the block at `height`, if they wait here (a disconnect). */
  remove(height: number): void {
    const block = this.take(height);
    if (block) this.log.push(() => this.put(block));
  }

  /** Every waiting block, lowest height first (a flush inserts them). */
  blocks(): PendingBlockTxs[] {
    return [...this.byHeight.values()].sort((a, b) => a.height - b.height);
  }

  clear(): void {
    this.byHeight.clear();
    this.byId.clear();
  }

  private put(block: PendingBlockTxs): void {
    this.byHeight.set(block.height, block);
    block.ids.forEach((id, index) => {
      this.byId.set(id, { blockHash: block.blockHash, height: block.height, index });
    });
  }

  private take(height: number): PendingBlockTxs | undefined {
    const block = this.byHeight.get(height);
    if (!block) return undefined;
    this.byHeight.delete(height);
    for (const id of block.ids) this.byId.delete(id);
    return block;
  }
}
