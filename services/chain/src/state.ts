import type { SignedTransaction } from "@p2pnode/codec";
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
 */
export class StateOverlay implements AccountReader {
  private readonly changed = new Map<
    string,
    { address: Uint8Array; before: Account | undefined; after: Account }
  >();

  constructor(private readonly base: AccountReader) {}

  account(address: Uint8Array): Account | undefined {
    const c = this.changed.get(hex(address));
    return c ? c.after : this.base.account(address);
  }

  get(address: Uint8Array): Account {
    return this.account(address) ?? EMPTY;
  }

  set(address: Uint8Array, after: Account): void {
    const key = hex(address);
    const c = this.changed.get(key);
    if (c) c.after = after;
    else this.changed.set(key, { address, before: this.base.account(address), after });
  }

  undo(): UndoEntry[] {
    return [...this.changed.entries()].map(([address, c]) => ({ address, before: c.before }));
  }

  writes(): { address: Uint8Array; after: Account }[] {
    return [...this.changed.values()].map((c) => ({ address: c.address, after: c.after }));
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
  const where = index === undefined ? {} : { index };
  if (tx.nonce !== from.nonce) {
    const why = tx.nonce < from.nonce ? "already used (replay)" : "leaves a gap";
    throw reject("BAD_NONCE", `nonce ${tx.nonce} ${why}: account nonce is ${from.nonce}`, {
      ...where,
      expected: from.nonce,
      got: tx.nonce,
    });
  }
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) {
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

/** Pays the block reward plus every fee to the header's miner address (no coinbase transaction). */
export function payMiner(state: StateOverlay, miner: Uint8Array, reward: bigint, fees: bigint): void {
  const m = state.get(miner);
  state.set(miner, { balance: m.balance + reward + fees, nonce: m.nonce });
}

export { hex, unhex };
