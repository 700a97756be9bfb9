import type { SignedTransaction } from "@p2pnode/codec";
import { BytesMap } from "./bytes-map.js";
import { reject } from "./errors.js";
import type { ShieldedOverlay } from "./shielded-state.js";
import { type Account, hex, type UndoEntry, unhex } from "./store.js";

/** Where the overlay reads accounts that it has not changed (the store, or another overlay). */
export interface AccountReader {
  account(address: Uint8Array): Account | undefined;
}

const EMPTY: Account = { balance: 0n, nonce: 0 };

/**
 * Account changes of one block (or one template) kept in memory over a reader. It remembers
 * each touched account's value before the first change: that list is the block's undo data.
 * Every account is read from the reader at most once (a transfer reads and then writes it).
 */
export class StateOverlay implements AccountReader {
  /** Borrowed keys: the overlay lives no longer than the block (or template) its addresses are in. */
  private readonly entries = new BytesMap<{
    address: Uint8Array;
    before: Account | undefined;
    after: Account | undefined;
    written: boolean;
  }>({ borrowKeys: true });

  constructor(private readonly base: AccountReader) {}

  private entry(address: Uint8Array) {
    let e = this.entries.get(address);
    if (!e) {
      const before = this.base.account(address);
      e = { address, before, after: before, written: false };
      this.entries.set(address, e);
    }
    return e;
  }

  account(address: Uint8Array): Account | undefined {
    return this.entry(address).after;
  }

  get(address: Uint8Array): Account {
    return this.entry(address).after ?? EMPTY;
  }

  set(address: Uint8Array, after: Account): void {
    const e = this.entry(address);
    e.after = after;
    e.written = true;
  }

  undo(): UndoEntry[] {
    const out: UndoEntry[] = [];
    this.entries.forEach((e) => {
      if (e.written) out.push({ address: e.address, before: e.before });
    });
    return out;
  }

  writes(): { address: Uint8Array; after: Account }[] {
    const out: { address: Uint8Array; after: Account }[] = [];
    this.entries.forEach((e) => {
      if (e.written) out.push({ address: e.address, after: e.after! });
    });
    return out;
  }
}

/**
 * Applies one transaction. A transfer or shield: the sender's nonce must be next and its
 * balance cover amount + fee. The shielded kinds also go through `shielded` (anchor, nullifiers,
 * pool); unshield credits `to`. Without `shielded` (the integrity replay) only accounts change.
 */
export function applyTx(
  state: StateOverlay,
  stx: SignedTransaction,
  sender: Uint8Array,
  index?: number,
  shielded?: ShieldedOverlay,
): void {
  const { tx } = stx;
  if (tx.kind === "shielded" || tx.kind === "unshield") {
    shielded?.apply(tx, index);
    if (tx.kind === "unshield") {
      const to = state.get(tx.to);
      state.set(tx.to, { balance: to.balance + tx.amount, nonce: to.nonce });
    }
    return;
  }
  const from = state.get(sender);
  if (tx.nonce !== from.nonce) {
    const where = index === undefined ? {} : { index };
    const why = tx.nonce < from.nonce ? "already used (replay)" : "leaves a gap";
    throw reject("BAD_NONCE", `nonce ${tx.nonce} ${why}: account nonce is ${from.nonce}`, {
      ...where,
      expected: from.nonce,
      got: tx.nonce,
    });
  }
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) {
    const where = index === undefined ? {} : { index };
    throw reject("INSUFFICIENT_FUNDS", `balance ${from.balance} does not cover amount + fee ${cost}`, {
      ...where,
      balance: from.balance.toString(),
      cost: cost.toString(),
    });
  }
  if (tx.kind === "shield") {
    shielded?.apply(tx, index);
    state.set(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
    return;
  }
  state.set(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const to = state.get(tx.to);
  state.set(tx.to, { balance: to.balance + tx.amount, nonce: to.nonce });
}

/**
 * A block's state transition: its txs in order, then the reward and every fee to its miner.
 * The one rule for connecting a block, the replay after a crash and the integrity check.
 */
export function applyBlock(
  state: StateOverlay,
  txs: readonly { stx: SignedTransaction; sender: Uint8Array }[],
  miner: Uint8Array,
  reward: bigint,
  shielded?: ShieldedOverlay,
): void {
  let fees = 0n;
  txs.forEach((t, i) => {
    applyTx(state, t.stx, t.sender, i, shielded);
    fees += t.stx.tx.fee;
  });
  payMiner(state, miner, reward, fees);
}

/** Pays the block reward plus every fee to the header's miner address (no coinbase transaction). */
export function payMiner(state: StateOverlay, miner: Uint8Array, reward: bigint, fees: bigint): void {
  const m = state.get(miner);
  state.set(miner, { balance: m.balance + reward + fees, nonce: m.nonce });
}

export { hex, unhex };
