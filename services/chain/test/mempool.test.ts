import { prepareTx } from "@p2pnode/rules";
import { describe, expect, it } from "vitest";
import { defaultMempoolOptions, Mempool, type MempoolOptions, toPoolTx } from "../src/mempool.js";
import type { Account } from "../src/store.js";
import { alice, bob, CHAIN_ID, carol, transfer, type Wallet, wallet } from "./helpers.js";

const rich: Account = { balance: 10n ** 12n, nonce: 0 };

function pool(o: Partial<MempoolOptions> = {}, accounts = new Map<string, Account>()) {
  return new Mempool(
    { ...defaultMempoolOptions, ...o },
    { accounts: { account: (a) => accounts.get(Buffer.from(a).toString("hex")) ?? rich } },
  );
}
const ptx = (from: Wallet, nonce: number, fee: bigint, receivedAt = 0) =>
  toPoolTx(prepareTx(transfer(from, bob, 1n, nonce, fee), { chainId: CHAIN_ID, minFee: 0n }), receivedAt);
const code = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe("mempool", () => {
  it("selects by fee per byte, each sender's txs in nonce order", () => {
    const p = pool();
    p.add(ptx(alice, 0, 5n));
    p.add(ptx(alice, 1, 100n)); // high fee but behind alice's nonce 0
    p.add(ptx(carol, 0, 50n));
    p.add(ptx(bob, 0, 1n));
    const order = p
      .select(10, 1e6)
      .map((t) => [
        t.senderHex === alice.hex ? "alice" : t.senderHex === carol.hex ? "carol" : "bob",
        t.nonce,
      ]);
    expect(order).toEqual([
      ["carol", 0],
      ["alice", 0],
      ["alice", 1],
      ["bob", 0],
    ]);
    expect(p.select(2, 1e6)).toHaveLength(2);
  });

  it("replaces a pending tx only for a fee at least 10% higher", () => {
    const p = pool();
    const first = ptx(alice, 0, 100n);
    p.add(first);
    expect(code(() => p.add(ptx(alice, 0, 105n)))).toBe("FEE_TOO_LOW");
    const { replaced } = p.add(ptx(alice, 0, 110n));
    expect(replaced?.idHex).toBe(first.idHex);
    expect(p.size).toBe(1);
    expect(p.has(first.idHex)).toBe(false);
  });

  it("refuses gaps, replays and unfunded queues", () => {
    const accounts = new Map([[alice.hex, { balance: 25n, nonce: 3 }]]);
    const p = pool({}, accounts);
    expect(code(() => p.add(ptx(alice, 2, 1n)))).toBe("BAD_NONCE");
    expect(code(() => p.add(ptx(alice, 4, 1n)))).toBe("BAD_NONCE");
    p.add(ptx(alice, 3, 10n)); // cost 11
    p.add(ptx(alice, 4, 10n)); // cost 22
    expect(code(() => p.add(ptx(alice, 5, 10n)))).toBe("INSUFFICIENT_FUNDS");
  });

  it("evicts the lowest-paying tail when full, or refuses a tx that pays less", () => {
    const p = pool({ maxTxs: 3 });
    const cheap = ptx(bob, 0, 2n);
    p.add(ptx(alice, 0, 50n));
    p.add(cheap);
    p.add(ptx(carol, 0, 40n));
    expect(code(() => p.add(ptx(wallet(7), 0, 1n)))).toBe("MEMPOOL_FULL");
    expect(p.size).toBe(3);
    const { evicted } = p.add(ptx(wallet(8), 0, 30n));
    expect(evicted.map((e) => e.idHex)).toEqual([cheap.idHex]);
    expect(p.size).toBe(3);
  });

  it("caps each sender and the total bytes", () => {
    const p = pool({ maxPerSender: 2 });
    p.add(ptx(alice, 0, 1n));
    p.add(ptx(alice, 1, 1n));
    expect(code(() => p.add(ptx(alice, 2, 1n)))).toBe("MEMPOOL_FULL");
    const one = ptx(bob, 0, 1n);
    const small = pool({ maxBytes: one.size });
    small.add(one);
    expect(code(() => small.add(ptx(carol, 0, 1n)))).toBe("MEMPOOL_FULL");
  });

  it("drops txs past their TTL together with the sender's later txs", () => {
    const p = pool({ ttlMs: 1_000 });
    p.add(ptx(alice, 0, 1n, 0));
    p.add(ptx(alice, 1, 1n, 5_000));
    p.add(ptx(bob, 0, 1n, 5_000));
    expect(p.revalidate(undefined, 5_500)).toHaveLength(2);
    expect(p.size).toBe(1);
    expect(p.queueOf(bob.hex)).toHaveLength(1);
  });

  it("finds a pooled tx by its exact bytes, and nothing for other bytes or once it has left", () => {
    const p = pool();
    const a = ptx(alice, 0, 5n);
    const c = ptx(carol, 0, 5n);
    p.add(a);
    p.add(c);
    // By the signature framed in the bytes (a block's frame, not decoded yet) or by the decoded tx's.
    expect(p.withBytes(Uint8Array.from(a.bytes))?.idHex).toBe(a.idHex);
    expect(p.withBytes(Uint8Array.from(c.bytes))?.idHex).toBe(c.idHex);
    expect(p.withBytes(Uint8Array.from(a.bytes), a.stx)?.idHex).toBe(a.idHex);
    // The same signature after other bytes (a tampered copy: one byte of the unsigned tx) is not that tx.
    const tampered = Uint8Array.from(a.bytes);
    tampered[8]! ^= 1;
    expect(p.withBytes(tampered)).toBeUndefined();
    expect(p.withBytes(tampered, a.stx)).toBeUndefined();
    // Bytes that do not end in a signature entry are looked up by nothing.
    expect(p.withBytes(a.bytes.subarray(0, a.bytes.length - 1))).toBeUndefined();
    expect(p.withBytes(new Uint8Array(10))).toBeUndefined();
    // A tx never pooled, whose signature starts like a pooled one's, is not found either.
    const lookalike = ptx(alice, 1, 5n);
    lookalike.stx.signature.set(a.stx.signature.subarray(0, 6));
    expect(p.withBytes(lookalike.bytes)).toBeUndefined();
    // Replaced, mined (removed) or drained: gone from the bytes lookup as from the ids.
    const { replaced } = p.add(ptx(alice, 0, 50n));
    expect(replaced?.idHex).toBe(a.idHex);
    expect(p.withBytes(a.bytes)).toBeUndefined();
    p.remove([c.idHex]);
    expect(p.withBytes(c.bytes)).toBeUndefined();
    const d = ptx(bob, 0, 5n);
    p.add(d);
    p.drain();
    expect(p.withBytes(d.bytes)).toBeUndefined();
  });
});
