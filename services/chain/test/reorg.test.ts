import { type Block, decodeBlock } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { validateStoredChain } from "../src/integrity.js";
import {
  alice,
  balance,
  bob,
  carol,
  makeBlock,
  minerA,
  minerB,
  nonce,
  openChain,
  snapshot,
  testGenesis,
  transfer,
} from "./helpers.js";

const opened: Chain[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.store.close();
});
function open(g = genesis): Chain {
  const c = openChain(g);
  opened.push(c);
  return c;
}
const genesis = testGenesis();
const genesisOf = (c: Chain) => c.store.blockMeta(c.genesisHash)!;
const stateOf = (c: Chain) => {
  const s = snapshot(c);
  return { tip: s.tip, accounts: s.accounts, txs: s.txs };
};

describe("fork choice", () => {
  it("reorgs to a heavier branch: state equals a node that only saw that branch; losing txs return", async () => {
    const node = open();
    const tx1 = transfer(alice, bob, 100n, 0);
    const tx2 = transfer(alice, carol, 200n, 1);
    const tx3 = transfer(bob, carol, 70n, 0);
    const a1 = makeBlock(node, { txs: [tx1] });
    node.submitBlock(a1);
    node.submitBlock(makeBlock(node, { txs: [tx2] }));
    expect(node.tipBlock.height).toBe(2);

    // Branch b from genesis, mined by someone else: b1, b2 tie at most, b3 is heavier.
    const b: ReturnType<typeof makeBlock>[] = [];
    const fresh = open();
    let parent = genesisOf(fresh);
    for (const txs of [[tx3], [tx1], []]) {
      const block = makeBlock(fresh, { parent, txs, miner: minerB, gap: 1_500 });
      b.push(block);
      fresh.submitBlock(block);
      parent = fresh.tipBlock;
    }
    expect(node.submitBlock(b[0]!).verdict.status).toBe("side");
    expect(node.submitBlock(b[1]!).verdict.status).toBe("side"); // equal work: first seen stays
    expect(node.tip().height).toBe(2);
    const out = node.submitBlock(b[2]!);
    expect(out.verdict.status).toBe("reorg");

    expect(stateOf(node)).toEqual(stateOf(fresh));
    expect(balance(node, minerA)).toBe(0n);
    expect(balance(node, minerB)).toBe(3n * 5000n + 20n);
    expect(nonce(node, alice)).toBe(1);
    // tx2 (alice nonce 1) is still valid on the new branch: back in the mempool; tx1 was mined there.
    expect(node.mempool.size).toBe(1);
    expect(node.mempool.queueOf(alice.hex)[0]!.stx).toEqual(tx2);
    // The old branch stays stored as a side branch.
    expect(node.store.blockMeta(headerHash(a1.header))!.status).toBe("side");
    const report = await validateStoredChain(node.store, genesis, {
      retarget: node.retarget,
      signatures: true,
      yieldEvery: 10,
    });
    expect(report).toMatchObject({ ok: true, tipHeight: 3, txs: 2 });
  });

  it("a heavier branch with an invalid block is refused whole and changes nothing", () => {
    const node = open();
    node.submitBlock(makeBlock(node, { txs: [transfer(alice, bob, 100n, 0)] }));
    node.submitBlock(makeBlock(node));
    const before = snapshot(node);
    // Branch from genesis: c1 ok, c2 spends more than alice has (state-invalid), c3 makes it heavier.
    let parent = genesisOf(node);
    const c1 = makeBlock(node, { parent, miner: minerB, gap: 1_000 });
    node.submitBlock(c1);
    parent = node.store.blockMeta(hashOf(c1))!;
    const c2 = makeBlock(node, { parent, miner: minerB, txs: [transfer(alice, bob, 5_000_000n, 0)] });
    expect(node.submitBlock(c2).verdict.status).toBe("side"); // no state check off the main chain
    parent = node.store.blockMeta(hashOf(c2))!;
    const c3 = makeBlock(node, { parent, miner: minerB });
    let code = "";
    try {
      node.submitBlock(c3);
    } catch (err) {
      code = (err as { code: string }).code;
    }
    expect(code).toBe("INSUFFICIENT_FUNDS");
    expect({ ...snapshot(node), blocks: 0 }).toEqual({ ...before, blocks: 0, mempool: before.mempool });
    expect(node.tip()).toEqual(before.tip);
    expect(node.store.blockMeta(hashOf(c2))!.status).toBe("invalid");
    // A descendant of the invalid block is refused at once.
    parent = node.store.blockMeta(hashOf(c2))!;
    expect(() => node.submitBlock(makeBlock(node, { parent, miner: minerB, gap: 999 }))).toThrow(/invalid/);
  });

  it("switches back and forth and ends on the heaviest chain", () => {
    const x = open();
    const y = open();
    const bobTx = transfer(bob, carol, 10n, 0);
    y.submitBlock(makeBlock(y, { txs: [bobTx], miner: minerB, gap: 1_111 }));
    y.submitBlock(makeBlock(y, { miner: minerB, gap: 1_111 }));
    y.submitBlock(makeBlock(y, { miner: minerB, gap: 1_111 }));
    x.submitBlock(makeBlock(x, { txs: [transfer(alice, bob, 1n, 0)] }));
    x.submitBlock(makeBlock(x));
    const a2 = x.tipBlock;
    for (let h = 1; h <= 3; h++) x.submitBlock(blockAt(y, h));
    expect(x.tip().hash).toBe(y.tip().hash);
    expect(x.mempool.size).toBe(1); // alice's transfer came back
    const a3 = makeBlock(x, { parent: a2 });
    expect(x.submitBlock(a3).verdict.status).toBe("side");
    const a4 = makeBlock(x, { parent: x.store.blockMeta(headerHash(a3.header))! });
    expect(x.submitBlock(a4).verdict.status).toBe("reorg");
    expect(x.tipBlock.height).toBe(4);
    expect(balance(x, minerA)).toBe(4n * 5000n + 10n);
    expect(balance(x, minerB)).toBe(0n);
    expect(nonce(x, alice)).toBe(1);
    expect(nonce(x, bob)).toBe(0);
    expect(x.mempool.queueOf(bob.hex).map((t) => t.stx)).toEqual([bobTx]);
  });

  it("a fork below the reorg limit is refused each time as FORK_TOO_DEEP, never remembered as invalid", () => {
    const node = openChain(genesis, { maxReorgDepth: 2 });
    opened.push(node);
    for (let i = 0; i < 4; i++) node.submitBlock(makeBlock(node));
    // Another miner's branch from genesis, heavier in the end (5 blocks against 4).
    const other = open();
    const branch: ReturnType<typeof makeBlock>[] = [];
    for (let i = 0; i < 5; i++) {
      const b = makeBlock(other, { miner: minerB, gap: 1_500 });
      other.submitBlock(b);
      branch.push(b);
    }
    const code = (b: ReturnType<typeof makeBlock>) => {
      try {
        node.submitBlock(b);
        return "accepted";
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(code(branch[0]!)).toBe("FORK_TOO_DEEP");
    // Asked again: the same policy answer.
    expect(code(branch[0]!)).toBe("FORK_TOO_DEEP");
    // Its child: a block to sync, not an invalid one. INVALID_ANCESTOR (what it was before) costs
    // the relaying peer a ban at the gateway, though it sent a valid block.
    expect(code(branch[1]!)).toBe("PREV_HASH_MISMATCH");
    expect(node.tipBlock.height).toBe(4);
    expect(node.store.blockMeta(headerHash(branch[0]!.header))).toBeUndefined();
  });
});

const hashOf = (block: Block): Uint8Array => headerHash(block.header);

function blockAt(c: Chain, height: number): Block {
  return decodeBlock(c.store.blockBody(c.store.mainHashAt(height)!)!);
}
