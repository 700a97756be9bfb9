import { type BlockHeader, encodeHeader } from "@p2pnode/codec";
import { genesisBlock } from "@p2pnode/rules";
import { afterEach, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { hex } from "../src/store.js";
import {
  alice,
  BLOCK_TIME,
  type BlockOpts,
  balance,
  bob,
  carol,
  extend,
  makeBlock,
  minerA,
  nonce,
  openChain,
  snapshot,
  testGenesis,
  transfer,
} from "./helpers.js";

const opened: Chain[] = [];
function open(...args: Parameters<typeof openChain>): Chain {
  const c = openChain(...args);
  opened.push(c);
  return c;
}
afterEach(() => {
  for (const c of opened.splice(0)) c.store.close();
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return "ACCEPTED";
}

describe("genesis", () => {
  it("derives the same genesis hash from the same file, another from any change", () => {
    const g = testGenesis();
    expect(hex(genesisBlock(g).hash)).toBe(hex(genesisBlock(structuredClone(g)).hash));
    const other = structuredClone(g);
    other.allocations[0]!.balance = "1000001";
    expect(hex(genesisBlock(other).hash)).not.toBe(hex(genesisBlock(g).hash));
    const c = open(g);
    expect(c.tip()).toMatchObject({ height: 0, hash: hex(genesisBlock(g).hash), chainId: g.chainId });
    expect(balance(c, alice)).toBe(1_000_000n);
  });

  it("refuses a store written for another genesis", () => {
    const g = testGenesis();
    const c = open(g);
    const dir = c.store.db.name.replace(/\/chain\.sqlite$/, "");
    c.store.close();
    expect(() => open(testGenesis({ blockReward: "1" }), {}, dir)).toThrow(/genesis/);
  });
});

describe("transactions and blocks", () => {
  it("pays reward plus fees to the header's miner and moves balances and nonces", () => {
    const c = open(testGenesis());
    c.submitTx(transfer(alice, bob, 100n, 0, 7n));
    c.submitTx(transfer(alice, carol, 50n, 1, 3n));
    expect(c.mempool.size).toBe(2);
    const txs = c.mempool.select(10, 1e6).map((t) => t.stx);
    const { verdict } = c.submitBlock(makeBlock(c, { txs }));
    expect(verdict.status).toBe("connected");
    expect(balance(c, alice)).toBe(1_000_000n - 160n);
    expect(balance(c, bob)).toBe(500_100n);
    expect(balance(c, carol)).toBe(50n);
    expect(balance(c, minerA)).toBe(5000n + 10n);
    expect(nonce(c, alice)).toBe(2);
    expect(c.mempool.size).toBe(0);
  });

  it("refuses a double spend in the mempool and in a block, changing nothing", () => {
    const c = open(testGenesis());
    c.submitTx(transfer(alice, bob, 900_000n, 0));
    expect(refusal(() => c.submitTx(transfer(alice, carol, 900_000n, 1)))).toBe("INSUFFICIENT_FUNDS");
    // The same nonce spent twice: a replacement needs a higher fee, otherwise refused.
    expect(refusal(() => c.submitTx(transfer(alice, carol, 900_000n, 0)))).toBe("FEE_TOO_LOW");
    const before = snapshot(c);
    const spend1 = transfer(alice, bob, 600_000n, 0);
    const spend2 = transfer(alice, carol, 600_000n, 1);
    expect(refusal(() => c.submitBlock(makeBlock(c, { txs: [spend1, spend2] })))).toBe("INSUFFICIENT_FUNDS");
    const sameNonce = transfer(alice, carol, 1n, 0, 11n);
    expect(refusal(() => c.submitBlock(makeBlock(c, { txs: [spend1, sameNonce] })))).toBe("BAD_NONCE");
    expect(snapshot(c)).toEqual(before);
  });

  it("refuses a replayed transaction, changing nothing", () => {
    const c = open(testGenesis());
    const tx = transfer(alice, bob, 100n, 0);
    c.submitTx(tx);
    expect(refusal(() => c.submitTx(tx))).toBe("DUPLICATE");
    c.submitBlock(makeBlock(c, { txs: [tx] }));
    const before = snapshot(c);
    expect(refusal(() => c.submitTx(tx))).toBe("BAD_NONCE");
    expect(refusal(() => c.submitBlock(makeBlock(c, { txs: [tx] })))).toBe("BAD_NONCE");
    expect(snapshot(c)).toEqual(before);
  });

  it("tells the sender of a mined nonce which nonce comes next, as the mempool does for a pending one", () => {
    // A client whose send got through without its answer (a timeout, a killed service) resends;
    // without `expected` it cannot tell "taken" from "gap" and retries the same nonce forever.
    const c = open(testGenesis());
    const tx = transfer(alice, bob, 100n, 0);
    c.submitTx(tx);
    c.submitBlock(makeBlock(c, { txs: [tx] }));
    let details: unknown;
    try {
      c.submitTx(tx);
    } catch (err) {
      details = (err as { details?: unknown }).details;
    }
    expect(details).toEqual({ expected: 1 });
  });

  it("refuses a transaction signed for another chain id, in the mempool and in a block", () => {
    const c = open(testGenesis());
    const before = snapshot(c);
    const foreign = transfer(alice, bob, 100n, 0, 10n, "othernet");
    expect(refusal(() => c.submitTx(foreign))).toBe("INVALID_SIGNATURE");
    expect(refusal(() => c.submitBlock(makeBlock(c, { txs: [foreign] })))).toBe("INVALID_SIGNATURE");
    expect(snapshot(c)).toEqual(before);
  });

  it("refuses bad fees, gaps and unfunded senders", () => {
    const c = open(testGenesis());
    expect(refusal(() => c.submitTx(transfer(alice, bob, 1n, 0, 0n)))).toBe("FEE_TOO_LOW");
    expect(refusal(() => c.submitTx(transfer(alice, bob, 1n, 5)))).toBe("BAD_NONCE");
    expect(refusal(() => c.submitTx(transfer(carol, bob, 1n, 0)))).toBe("INSUFFICIENT_FUNDS");
    expect(c.mempool.size).toBe(0);
  });
});

describe("tampered blocks: each is refused with its reason and changes nothing", () => {
  const setup = () => {
    const c = open(testGenesis(), { maxReorgDepth: 2 });
    extend(c, 4);
    return c;
  };
  const flip = (b: Uint8Array) => {
    const out = new Uint8Array(b);
    out[0]! ^= 1;
    return out;
  };
  /** A block on the tip whose header `fn` edits before the nonce search. */
  const edited = (c: Chain, fn: (h: BlockHeader) => void, o: BlockOpts = {}) =>
    c.submitBlock(makeBlock(c, { ...o, edit: fn }));
  const cases: [string, (c: Chain) => unknown][] = [
    [
      "PREV_HASH_MISMATCH",
      (c) =>
        edited(c, (h) => {
          h.prevHash = flip(h.prevHash);
        }),
    ],
    [
      "MISSED_BLOCK",
      (c) =>
        edited(c, (h) => {
          h.height += 2;
          h.prevHash = flip(h.prevHash);
        }),
    ],
    [
      "FORK_TOO_DEEP",
      (c) => {
        const deep = c.store.blockMeta(c.store.mainHashAt(1)!)!;
        return c.submitBlock(makeBlock(c, { parent: deep, gap: 1 }));
      },
    ],
    [
      "INVALID_POW",
      (c) =>
        edited(
          c,
          (h) => {
            h.target = new Uint8Array(32);
            h.target[31] = 1;
          },
          { noPow: true },
        ),
    ],
    ["INVALID_HASH", (c) => c.submitBlock(makeBlock(c), "00".repeat(32))],
    [
      "INVALID_SIGNATURE",
      (c) => {
        const tx = transfer(alice, bob, 1n, 0);
        tx.signature = flip(tx.signature);
        return c.submitBlock(makeBlock(c, { txs: [tx] }));
      },
    ],
    [
      "BAD_MERKLE_ROOT",
      (c) =>
        edited(
          c,
          (h) => {
            h.txRoot = flip(h.txRoot);
          },
          { txs: [transfer(alice, bob, 1n, 0)] },
        ),
    ],
    ["BAD_TIMESTAMP", (c) => c.submitBlock(makeBlock(c, { gap: -BLOCK_TIME * 3 }))],
    ["BAD_TIMESTAMP", (c) => c.submitBlock(makeBlock(c, { gap: 2 * 86_400_000 }))],
    [
      "BAD_TARGET",
      (c) =>
        edited(c, (h) => {
          h.target[0] = 0x7f;
        }),
    ],
    [
      "BAD_HEIGHT",
      (c) =>
        edited(c, (h) => {
          h.height -= 1;
        }),
    ],
    [
      "BAD_STATE_ROOT",
      (c) =>
        edited(c, (h) => {
          h.stateRoot[5] = 1;
        }),
    ],
    [
      "OVERSIZE",
      (c) => {
        const tx = transfer(alice, bob, 1n, 0);
        return c.submitBlock({ ...makeBlock(c), txs: new Array(8193).fill(tx) });
      },
    ],
    [
      "DUPLICATE",
      (c) => {
        const tx = transfer(alice, bob, 1n, 0);
        return c.submitBlock(makeBlock(c, { txs: [tx, tx] }));
      },
    ],
    ["BAD_NONCE", (c) => c.submitBlock(makeBlock(c, { txs: [transfer(alice, bob, 1n, 3)] }))],
    ["INSUFFICIENT_FUNDS", (c) => c.submitBlock(makeBlock(c, { txs: [transfer(carol, bob, 1n, 0)] }))],
    ["WRONG_CHAIN", (c) => c.submitBlock(genesisBlock(testGenesis({}, "othernet")).block)],
    [
      "BAD_VERSION",
      (c) => {
        const b = makeBlock(c);
        b.header.version = 2;
        return c.submitBlock(b);
      },
    ],
  ];
  it.each(cases)("%s", (reason, tamper) => {
    const c = setup();
    const before = snapshot(c);
    expect(refusal(() => tamper(c))).toBe(reason);
    expect(snapshot(c)).toEqual(before);
  });

  it("accepts the untampered block after all that", () => {
    const c = setup();
    expect(c.submitBlock(makeBlock(c)).verdict.status).toBe("connected");
    expect(encodeHeader(c.tipBlock.header)).toEqual(c.tipBlock.headerBytes);
  });
});
