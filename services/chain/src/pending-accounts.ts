import { BytesMap } from "./bytes-map.js";
import type { Account } from "./store.js";

/**
 * Account writes the accounts table does not hold yet (Bitcoin Core's dbcache: its coins cache
 * is flushed to disk every so often, not per block). A block's account rows cost a third of its
 * commit (bench:commit's profile), and the same accounts come back block after block; here they
 * wait in memory and are written once per flush. Nothing is lost by a crash: the blocks are
 * committed with their bodies, and the store replays those above the last flush on start
 * (ForkChoice.replayAccounts). The values are the authority while they wait: reads look here
 * first. null is a deleted account.
 *
 * A store transaction that rolls back must take its writes back out: each write remembers the
 * value it replaced in a journal, which a rollback unwinds to where its transaction began.
 */
export class PendingAccounts {
  private readonly entries = new BytesMap<Account | null>();
  /** [address, the pending value before] of the running store transaction, oldest first. */
  private readonly journal: [Uint8Array, Account | null | undefined][] = [];

  get size(): number {
    return this.entries.size;
  }

  /** The pending value (a copy), null if deleted, undefined if none is pending. */
  get(address: Uint8Array): Account | null | undefined {
    const a = this.entries.get(address);
    return a ? { balance: a.balance, nonce: a.nonce } : a;
  }

  set(address: Uint8Array, a: Account | null): void {
    this.journal.push([address, this.entries.get(address)]);
    this.entries.set(address, a ? { balance: a.balance, nonce: a.nonce } : null);
  }

  /** Where the journal stands: a transaction's start, to roll back to. */
  mark(): number {
    return this.journal.length;
  }

  /** Undoes the writes made since `mark` (a transaction, or a nested one, rolled back). */
  rollBack(mark: number): void {
    while (this.journal.length > mark) {
      const [address, before] = this.journal.pop()!;
      if (before === undefined) this.entries.delete(address);
      else this.entries.set(address, before);
    }
  }

  /** The outermost transaction committed: its writes stay, the journal starts again. */
  committed(): void {
    this.journal.length = 0;
  }

  /** Calls `fn` on every pending write (a flush writes them). */
  forEach(fn: (address: Uint8Array, a: Account | null) => void): void {
    this.entries.forEachEntry(fn);
  }

  /** After a flush committed: the table holds them all. */
  clear(): void {
    this.entries.clear();
    this.journal.length = 0;
  }
}
