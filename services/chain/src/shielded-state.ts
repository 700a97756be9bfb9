import { type ShieldedTx, toHex } from "@p2pnode/codec";
import { poolDelta } from "@p2pnode/rules";
import { DEFAULT_ROOT_WINDOW, digestFromBytes, digestToBytes, Frontier, RootWindow } from "@p2pnode/shielded";
import { ChainFault, reject } from "./errors.js";
import { type ChainStore, hex, unhex } from "./store.js";

/*
 * The chain's shielded state at the tip: the note-commitment tree's frontier, the window of its
 * recent roots (the anchors a spend may use), every published nullifier, and the value the pool
 * holds — one public number, so the supply stays auditable: accounts + pool = allocations +
 * rewards. Blocks without shielded txs leave all of it untouched (no row, no root pushed).
 */

type Digest = ReturnType<typeof digestFromBytes>;

const META = { frontier: "shielded.frontier", roots: "shielded.roots", pool: "shielded.pool" } as const;

export interface ShieldedView {
  frontier: Frontier;
  roots: RootWindow;
  /** Value held in notes, in base units. */
  pool: bigint;
}

const EMPTY_ROOT = Frontier.empty().root();

/** The shielded state at the tip (the empty tree, its root as the one anchor, 0 in the pool before any). */
export function loadShielded(store: ChainStore): ShieldedView {
  const f = store.getMeta(META.frontier);
  const r = store.getMeta(META.roots);
  return {
    frontier: f ? Frontier.decode(unhex(f)) : Frontier.empty(),
    roots: r ? RootWindow.decode(unhex(r)) : new RootWindow(DEFAULT_ROOT_WINDOW, [EMPTY_ROOT]),
    pool: BigInt(store.getMeta(META.pool) ?? "0"),
  };
}

function saveShielded(store: ChainStore, v: ShieldedView): void {
  store.setMeta(META.frontier, hex(v.frontier.encode()));
  store.setMeta(META.roots, hex(v.roots.encode()));
  store.setMeta(META.pool, v.pool.toString());
}

/**
 * The shielded changes of one block (or template) over the tip's state: nullifiers spent so
 * far in the block, commitments appended, the pool's value. `apply` checks before it changes
 * anything, so a refused tx leaves the overlay as it was (the template relies on that).
 */
export class ShieldedOverlay {
  private readonly spent = new Map<string, Uint8Array>();
  private readonly appended: Digest[] = [];
  private base: ShieldedView | undefined;
  private poolValue: bigint | undefined;

  constructor(private readonly store: ChainStore) {}

  private get view(): ShieldedView {
    this.base ??= loadShielded(this.store);
    return this.base;
  }

  get pool(): bigint {
    return this.poolValue ?? this.view.pool;
  }

  /** The stateful rules of a spend: a recent anchor, unspent nullifiers, a pool that covers what leaves. */
  apply(tx: ShieldedTx, index?: number): void {
    const where = index === undefined ? {} : { index };
    if (!this.view.roots.has(digestFromBytes(tx.anchor, "anchor"))) {
      throw reject("UNKNOWN_ROOT", `anchor ${toHex(tx.anchor)} is not a recent root of the note tree`, {
        ...where,
        anchor: toHex(tx.anchor),
      });
    }
    for (const nf of tx.nullifiers) {
      const key = toHex(nf);
      if (this.spent.has(key) || this.store.hasNullifier(nf))
        throw reject("NULLIFIER_SPENT", `nullifier ${key} was already published`, {
          ...where,
          nullifier: key,
        });
    }
    const pool = this.pool + poolDelta(tx);
    if (pool < 0n) {
      throw reject("VALUE_IMBALANCE", `the shielded pool holds ${this.pool}, less than the tx takes out`, {
        ...where,
        pool: this.pool.toString(),
      });
    }
    for (const nf of tx.nullifiers) this.spent.set(toHex(nf), nf);
    this.poolValue = pool;
    for (const cm of tx.commitments) this.appended.push(digestFromBytes(cm, "commitment"));
  }

  /** Writes the block's nullifiers, new frontier, pushed root and pool value, and its undo row. */
  commit(blockHash: Uint8Array, height: number): void {
    if (this.spent.size === 0 && this.appended.length === 0) return;
    const before = this.view;
    const frontier = before.frontier.append(this.appended);
    const roots = RootWindow.decode(before.roots.encode());
    const evicted = roots.push(frontier.root());
    this.store.putShieldedUndo(blockHash, {
      frontier: before.frontier.encode(),
      evicted: evicted ? digestToBytes(evicted) : undefined,
      pool: before.pool,
    });
    for (const nf of this.spent.values()) this.store.putNullifier(nf, height);
    saveShielded(this.store, { frontier, roots, pool: this.pool });
  }
}

/** Reverts a disconnected block's shielded changes from its undo row (none: it had no shielded tx). */
export function revertShielded(store: ChainStore, blockHash: Uint8Array, height: number): void {
  const u = store.shieldedUndo(blockHash);
  if (!u) return;
  const v = loadShielded(store);
  if (v.roots.list().length === 0)
    throw new ChainFault("INTERNAL", `shielded roots empty while disconnecting ${hex(blockHash)}`);
  v.roots.pop(u.evicted ? digestFromBytes(u.evicted, "evicted root") : undefined);
  store.deleteNullifiersAt(height);
  saveShielded(store, { frontier: Frontier.decode(u.frontier), roots: v.roots, pool: u.pool });
  store.deleteShieldedUndo(blockHash);
}
