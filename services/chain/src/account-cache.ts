import { BytesMap } from "./bytes-map.js";
import type { Account } from "./store.js";

/**
 * The tip's accounts as this store last read or wrote them, so admission's two reads per tx (the
 * cheap replay check before the verify, the mempool's check after it) and a block's reads of
 * senders just admitted cost a Map lookup instead of a SQLite query. Absent accounts are cached
 * too (null). It holds only what the accounts table holds: the store's writes wait in
 * PendingAccounts (read first) and come here when their flush commits, so a transaction that
 * rolls back leaves nothing to take out. Only this store's connection writes the accounts table.
 * Bounded: past `limit` entries the first cached go first (a write updates an entry in place:
 * moving it to the back would cost a key copy per account a block writes).
 */
export class AccountCache {
  private readonly entries = new BytesMap<Account | null>();

  constructor(private readonly limit = 100_000) {}

  /** The cached account (a copy: callers may change what they get), null if absent, undefined if unknown. */
  get(address: Uint8Array): Account | null | undefined {
    const a = this.entries.get(address);
    return a ? { balance: a.balance, nonce: a.nonce } : a;
  }

  set(address: Uint8Array, a: Account | null): void {
    this.entries.set(address, a ? { balance: a.balance, nonce: a.nonce } : null);
    if (this.entries.size > this.limit) this.entries.deleteOldest();
  }
}
