import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChainStore } from "../src/store.js";
import { alice, bob, tmpDir } from "./helpers.js";

/**
 * The store's account reads come from its writes waiting for a flush and a cache of the table
 * (src/write-back.ts, src/account-cache.ts): they must never disagree with what committed.
 */
describe("account cache", () => {
  const open = () => new ChainStore(join(tmpDir(), "chain.sqlite"));

  it("a rolled-back transaction's writes are not read back, though they were read back inside it", () => {
    const store = open();
    store.putAccount(alice.address, { balance: 10n, nonce: 1 });
    expect(() =>
      store.transaction(() => {
        store.putAccount(alice.address, { balance: 99n, nonce: 7 });
        store.putAccount(bob.address, { balance: 5n, nonce: 0 });
        expect(store.account(alice.address)).toEqual({ balance: 99n, nonce: 7 });
        throw new Error("rule failed mid-block");
      }),
    ).toThrow("rule failed mid-block");
    expect(store.account(alice.address)).toEqual({ balance: 10n, nonce: 1 });
    expect(store.account(bob.address)).toBeUndefined();
    store.close();
  });

  it("reads what was written and deleted, and a caller changing what it got changes nothing stored", () => {
    const store = open();
    expect(store.account(bob.address)).toBeUndefined(); // cached as absent
    store.transaction(() => store.putAccount(bob.address, { balance: 3n, nonce: 0 }));
    const got = store.account(bob.address)!;
    expect(got).toEqual({ balance: 3n, nonce: 0 });
    got.balance = 1_000n;
    expect(store.account(bob.address)).toEqual({ balance: 3n, nonce: 0 });
    store.transaction(() => store.deleteAccount(bob.address));
    expect(store.account(bob.address)).toBeUndefined();
    store.close();
  });
});
