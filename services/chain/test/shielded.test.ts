import {
  decodeSignedTransaction,
  encodeSignedTransaction,
  HEADER_SIZE,
  type ShieldedTx,
  type ShieldTx,
  type SignedTransaction,
  signedTransactionToJson,
  type UnshieldTx,
} from "@p2pnode/codec";
import { headerHash, signTransaction } from "@p2pnode/crypto";
import { prepareTx, txFromJson } from "@p2pnode/rules";
import {
  addressOf,
  commitmentOf,
  decodeEncryptedNote,
  digestFromBytes,
  digestToBytes,
  encodeAddress,
  type Note,
  randomSpendingKey,
  type SpendingKey,
  scanOutputs,
  viewingKeyOf,
} from "@p2pnode/shielded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { blockDetail, mempoolPage, pendingTx, txStatus } from "../src/queries.js";
import { loadShielded, ShieldedOverlay } from "../src/shielded-state.js";
import { buildTemplate, defaultTemplateOptions } from "../src/template.js";
import {
  alice,
  balance,
  bob,
  CHAIN_ID,
  makeBlock,
  minerA,
  minerB,
  openChain,
  testGenesis,
  tmpDir,
} from "./helpers.js";
import { type Built, owned, send, shield, treeOf, unshield } from "./shielded-helpers.js";

/*
 * The shielded rules on one node, with real zero-knowledge proofs: the honest path (shield,
 * shielded transfer, unshield) with the supply conserved, then each soundness rule refused with
 * its reason and nothing changed. The proofs are made once (a few seconds each on a loaded
 * machine) and reused by the cases.
 */

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return "ACCEPTED";
}

const genesis = testGenesis();
const REWARD = 5000n;
const ALLOCATED = 1_500_000n;

/** Accounts + shielded pool = allocations + rewards: no value made or lost. */
function supply(c: Chain): { accounts: bigint; pool: bigint; expected: bigint } {
  let accounts = 0n;
  for (const a of c.store.accounts()) accounts += a.account.balance;
  return {
    accounts,
    pool: loadShielded(c.store).pool,
    expected: ALLOCATED + REWARD * BigInt(c.tipBlock.height),
  };
}
function expectConserved(c: Chain): void {
  const s = supply(c);
  expect(s.accounts + s.pool).toBe(s.expected);
}

function mine(c: Chain, txs: SignedTransaction[], miner = minerA): void {
  c.submitBlock(makeBlock(c, { txs, miner }));
}

/** A copy of a shielded tx with some fields changed (the proof and signature kept). */
function edited(stx: SignedTransaction, change: Record<string, unknown>): SignedTransaction {
  return { ...stx, tx: { ...(stx.tx as ShieldedTx), ...change } as ShieldedTx };
}

let sk1: SpendingKey;
let sk2: SpendingKey;
let shielded1: Built; // alice → 1000 in a note of sk1
let pay: Built; // sk1 → 600 to sk2, 395 change (fee 5)
let payAgain: Built; // sk1 spends the same note again: 300 to sk2
let cashOut: Built; // sk2 → 500 to bob's account (fee 5), 95 change
let chain: Chain;

beforeAll(() => {
  sk1 = randomSpendingKey();
  sk2 = randomSpendingKey();
  chain = openChain(genesis);
  shielded1 = shield(alice, sk1, 1000n, 0, treeOf(chain));
}, 600_000);

afterAll(() => chain?.store.close());

describe("shielded transactions on one node", () => {
  it("shield → shielded transfer → unshield: balances right, pool tracked, supply conserved", () => {
    const before = balance(chain, alice);
    chain.submitTx(shielded1.stx);
    expect(chain.mempool.size).toBe(1);
    // The template picks the shield up like any tx of alice's.
    const template = buildTemplate(chain, minerA.hex, defaultTemplateOptions);
    expect(template.txs.map((t) => decodeSignedTransaction(t).tx.kind)).toEqual(["shield"]);
    mine(chain, [shielded1.stx]);
    expect(balance(chain, alice)).toBe(before - 1010n);
    expect(loadShielded(chain.store).pool).toBe(1000n);
    expectConserved(chain);

    let tree = treeOf(chain);
    const note1 = owned(tree, shielded1.notes[0], (shielded1.stx.tx as ShieldedTx).commitments[0]);
    pay = send(sk1, [note1], sk2, 600n, tree);
    payAgain = send(sk1, [note1], sk2, 300n, tree);
    chain.submitTx(pay.stx);
    expect(chain.shieldedPool.size).toBe(1);
    // Mempool conflict by nullifier: the second spend of the same note is refused.
    expect(refusal(() => chain.submitTx(payAgain.stx))).toBe("NULLIFIER_SPENT");
    const t2 = buildTemplate(chain, minerB.hex, defaultTemplateOptions);
    expect(t2.txs.map((t) => decodeSignedTransaction(t).tx.kind)).toEqual(["shielded"]);
    // The same note spent twice inside one block.
    expect(refusal(() => mine(chain, [pay.stx, payAgain.stx]))).toBe("NULLIFIER_SPENT");
    mine(chain, [pay.stx], minerB);
    expect(chain.shieldedPool.size).toBe(0);
    expect(loadShielded(chain.store).pool).toBe(995n); // the fee left the pool to the miner
    expectConserved(chain);

    tree = treeOf(chain);
    const note2 = owned(tree, pay.notes[0], (pay.stx.tx as ShieldedTx).commitments[0]);
    const bobBefore = balance(chain, bob);
    cashOut = unshield(sk2, [note2], bob, 500n, tree);
    chain.submitTx(cashOut.stx);
    mine(chain, [cashOut.stx]);
    expect(balance(chain, bob)).toBe(bobBefore + 500n);
    expect(loadShielded(chain.store).pool).toBe(490n);
    expect(chain.store.nullifierCount()).toBe(6);
    expectConserved(chain);
  }, 600_000);

  it("refuses a nullifier reused across blocks (mempool and block), changing nothing", () => {
    const tip = chain.tip();
    expect(refusal(() => chain.submitTx(payAgain.stx))).toBe("NULLIFIER_SPENT");
    expect(refusal(() => mine(chain, [payAgain.stx]))).toBe("NULLIFIER_SPENT");
    expect(chain.tip()).toEqual(tip);
  });

  it("refuses a tampered proof byte, a forged nullifier, a moved proof, value from nothing: BAD_PROOF", () => {
    // A node where cashOut's anchor is a recent root and its nullifier unspent: only the proof can refuse.
    const node = openChain(genesis);
    try {
      mine(node, [shielded1.stx]);
      mine(node, [pay.stx]);
      const tx = cashOut.stx.tx as UnshieldTx;
      const flipped = tx.proof.slice();
      flipped[Math.floor(flipped.length / 2)]! ^= 1;
      const otherDigest = (pay.stx.tx as ShieldedTx).commitments[1];
      const cases: [string, SignedTransaction][] = [
        ["tampered proof byte", edited(cashOut.stx, { proof: flipped })],
        ["forged nullifier", edited(cashOut.stx, { nullifiers: [otherDigest, tx.nullifiers[1]] })],
        ["value from nothing (600 + fee out of a 600 note)", edited(cashOut.stx, { amount: 600n })],
        ["another recipient", edited(cashOut.stx, { to: alice.address })],
        ["a lower fee", edited(cashOut.stx, { fee: 4n })],
        ["a proof moved from another tx", edited(cashOut.stx, { proof: (pay.stx.tx as ShieldedTx).proof })],
      ];
      for (const [name, bad] of cases) {
        expect(
          refusal(() => node.submitTx(bad)),
          name,
        ).toBe("BAD_PROOF");
        expect(
          refusal(() => node.submitBlock(makeBlock(node, { txs: [bad] }))),
          name,
        ).toBe("BAD_PROOF");
      }
      expect(node.shieldedPool.size).toBe(0);
      // The honest tx still goes through on that node.
      node.submitTx(cashOut.stx);
      expect(node.shieldedPool.size).toBe(1);
    } finally {
      node.store.close();
    }
    // A shield re-signed by its own account with a tampered proof: the signature passes, the proof not.
    const fresh = openChain(genesis);
    try {
      const tx = shielded1.stx.tx as ShieldTx;
      const flipped = tx.proof.slice();
      flipped[200]! ^= 0x10;
      const resigned = signTransaction({ ...tx, proof: flipped }, CHAIN_ID, alice.key);
      expect(refusal(() => fresh.submitTx(resigned))).toBe("BAD_PROOF");
      const more = signTransaction({ ...tx, amount: 2000n }, CHAIN_ID, alice.key);
      expect(refusal(() => fresh.submitTx(more))).toBe("BAD_PROOF");
      expect(refusal(() => fresh.submitBlock(makeBlock(fresh, { txs: [more] })))).toBe("BAD_PROOF");
      // Without re-signing, any change is caught by the signature first.
      expect(refusal(() => fresh.submitTx(edited(shielded1.stx, { proof: flipped })))).toBe(
        "INVALID_SIGNATURE",
      );
    } finally {
      fresh.store.close();
    }
  });

  it("refuses a spend of a note not in the tree (its anchor is no root of the chain): UNKNOWN_ROOT", () => {
    // A wallet tree with a note the chain never saw: the proof is valid, its anchor no chain root.
    const fake = treeOf(chain);
    const note: Note = { owner: addressOf(sk1).pk, value: 777n, rho: [1, 2, 3, 4], r: [5, 6, 7, 8] };
    fake.append(commitmentOf(note));
    const forged = send(sk1, [{ note, position: fake.size - 1 }], sk2, 700n, fake);
    expect(refusal(() => chain.submitTx(forged.stx))).toBe("UNKNOWN_ROOT");
    expect(refusal(() => mine(chain, [forged.stx]))).toBe("UNKNOWN_ROOT");
  }, 600_000);

  it("refuses more value leaving the pool than it holds: VALUE_IMBALANCE", () => {
    const tx = { ...(cashOut.stx.tx as UnshieldTx), anchor: (shielded1.stx.tx as ShieldedTx).anchor };
    const overlay = new ShieldedOverlay(chain.store);
    const pool = loadShielded(chain.store).pool;
    const fresh = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? n : 0));
    const take = (amount: bigint) => ({ ...tx, amount, nullifiers: [fresh(1), fresh(2)] as const });
    expect(refusal(() => overlay.apply(take(pool + 1n - tx.fee)))).toBe("VALUE_IMBALANCE");
    expect(refusal(() => overlay.apply(take(pool - tx.fee)))).toBe("ACCEPTED");
  });

  it("refuses amounts past 2^64, wrong field elements and malformed notes with typed codes", () => {
    const base = cashOut.stx;
    const json = signedTransactionToJson(base);
    const over = { ...json, tx: { ...json.tx, amount: "18446744073709551616" } };
    expect(refusal(() => txFromJson(over as typeof json))).toBe("DECODE_FAILED");
    expect(
      refusal(() => prepareTx(edited(base, { amount: 2n ** 64n }), { chainId: CHAIN_ID, minFee: 0n })),
    ).toBe("DECODE_FAILED");
    const notField = new Uint8Array(32).fill(0xff);
    expect(refusal(() => chain.submitTx(edited(base, { nullifiers: [notField, notField.slice(1)] })))).toBe(
      "DECODE_FAILED",
    );
    expect(refusal(() => chain.submitTx(edited(base, { anchor: notField })))).toBe("BAD_FIELD_ELEMENT");
    expect(refusal(() => chain.submitTx(edited(base, { commitments: [notField, notField] })))).toBe(
      "BAD_FIELD_ELEMENT",
    );
    const shortNote = new Uint8Array(89);
    expect(refusal(() => chain.submitTx(edited(base, { notes: [shortNote, shortNote] })))).toBe(
      "DECODE_FAILED",
    );
    const bigProof = new Uint8Array(64 * 1024 + 1);
    expect(refusal(() => chain.submitTx(edited(base, { proof: bigProof })))).toBe("DECODE_FAILED");
    // An unsigned kind carrying a signature is not a valid encoding either.
    expect(refusal(() => chain.submitTx({ ...base, signature: new Uint8Array(64) }))).toBe("DECODE_FAILED");
  });

  it("undoes nullifiers, tree and pool on a reorg: state equals a node that only saw the winning branch", () => {
    const node = openChain(genesis);
    const only = openChain(genesis);
    try {
      mine(node, [shielded1.stx]);
      const fork = node.tipBlock;
      mine(node, [pay.stx]);
      expect(node.store.nullifierCount()).toBe(4);
      // A heavier branch from the fork that spends the same note differently.
      const b1 = makeBlock(node, { parent: fork, txs: [payAgain.stx], miner: minerB });
      node.submitBlock(b1);
      const b1Meta = node.store.blockMeta(headerHash(b1.header))!;
      const b2 = makeBlock(node, { parent: b1Meta, miner: minerB });
      expect(node.submitBlock(b2).verdict.status).toBe("reorg");
      // pay's nullifier is payAgain's (the same note): it cannot come back nor be mined again.
      expect(node.shieldedPool.size).toBe(0);
      expect(refusal(() => node.submitTx(pay.stx))).toBe("NULLIFIER_SPENT");
      expect(refusal(() => mine(node, [pay.stx]))).toBe("NULLIFIER_SPENT");
      expectConserved(node);
      for (const b of [makeBlock(only, { txs: [shielded1.stx] })]) only.submitBlock(b);
      only.submitBlock(b1);
      only.submitBlock(b2);
      const view = (c: Chain) => {
        const v = loadShielded(c.store);
        return {
          frontier: v.frontier.encode(),
          roots: v.roots.encode(),
          pool: v.pool,
          nf: c.store.nullifierCount(),
        };
      };
      expect(view(node)).toEqual(view(only));
      expect(view(node).pool).toBe(995n);
    } finally {
      node.store.close();
      only.store.close();
    }
  });

  it("the recipient's viewing key finds its notes among the chain's outputs, and only its own", () => {
    const outputs = [shielded1, pay, cashOut].flatMap((b) => {
      const tx = b.stx.tx as ShieldedTx;
      return [0, 1].map((j) => ({
        commitment: digestFromBytes(tx.commitments[j]!),
        note: decodeEncryptedNote(tx.notes[j]!),
      }));
    });
    const values = (sk: SpendingKey) =>
      scanOutputs(viewingKeyOf(sk), outputs)
        .found.map((f) => f.note.value)
        .filter((v) => v > 0n);
    expect(values(sk1)).toEqual([1000n, 395n]);
    expect(values(sk2)).toEqual([600n, 95n]);
    expect(values(randomSpendingKey())).toEqual([]);
  });

  it("privacy: a shielded transfer's bytes, JSON, mempool row and block carry neither sender, recipient nor amount", () => {
    const node = openChain(genesis);
    try {
      mine(node, [shielded1.stx]);
      node.submitTx(pay.stx);
      const row = mempoolPage(node, 0, 10).txs[0]!;
      expect(row).toMatchObject({ kind: "shielded", from: "", to: "", amount: "0" });
      mine(node, [pay.stx]);
      const tip = node.tipBlock;
      const wire = [
        encodeSignedTransaction(pay.stx),
        // The block's txs, past its header: the header's fixed-width height (six zero bytes, the
        // height, then the parent hash's first byte) spells u64(600) by chance at height 2 under a
        // parent hash starting 0x58, once in 256 runs. It carries no tx data but the txs' root.
        node.store.blockBody(tip.hash)!.subarray(HEADER_SIZE),
        new TextEncoder().encode(JSON.stringify(signedTransactionToJson(pay.stx))),
        new TextEncoder().encode(JSON.stringify(blockDetail(node, tip))),
      ];
      const u64 = (v: bigint) => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, v);
        return b;
      };
      const secrets: [string, Uint8Array][] = [
        ["sender pk", digestToBytes(addressOf(sk1).pk)],
        ["sender encryption key", addressOf(sk1).encryptionKey],
        ["recipient pk", digestToBytes(addressOf(sk2).pk)],
        ["recipient encryption key", addressOf(sk2).encryptionKey],
        ["amount 600", u64(600n)],
        ["change 395", u64(395n)],
      ];
      const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
      for (const bytes of wire) {
        const asText = Buffer.from(bytes).toString("latin1");
        for (const [what, secret] of secrets) {
          expect(Buffer.from(bytes).indexOf(Buffer.from(secret)), what).toBe(-1);
          expect(asText.includes(hexOf(secret)), `${what} as hex`).toBe(false);
          expect(asText.includes(encodeAddress(addressOf(sk1))), "sender address").toBe(false);
          expect(asText.includes(encodeAddress(addressOf(sk2))), "recipient address").toBe(false);
        }
      }
      // The JSON has no field that could hold an amount or a party: only these.
      expect(Object.keys(signedTransactionToJson(pay.stx).tx).sort()).toEqual(
        ["anchor", "commitments", "fee", "kind", "notes", "nullifiers", "proof"].sort(),
      );
    } finally {
      node.store.close();
    }
  });

  it("a pending shielded transfer is found by its id, as peers fetch it to relay it and wallets poll it", () => {
    const node = openChain(genesis);
    try {
      mine(node, [shielded1.stx]);
      node.submitTx(pay.stx);
      const id = mempoolPage(node, 0, 1).txs[0]!.id;
      // The gateway serves a peer's getdata from this lookup: a pending tx it misses never leaves the node.
      expect(pendingTx(node, id)?.stx).toEqual(pay.stx);
      expect(txStatus(node, id)).toMatchObject({ id, status: "pending", tx: { tx: { kind: "shielded" } } });
    } finally {
      node.store.close();
    }
  });

  it("an accepted shielded transfer survives a restart of the node (persisted with the mempool)", () => {
    const dir = tmpDir();
    const first = openChain(genesis, {}, dir);
    mine(first, [shielded1.stx]);
    first.submitTx(pay.stx);
    first.store.close(); // the row was committed before submitTx returned
    const again = openChain(genesis, {}, dir);
    try {
      expect(again.shieldedPool.has(mempoolPage(again, 0, 1).txs[0]!.id)).toBe(true);
      expect(refusal(() => again.submitTx(payAgain.stx))).toBe("NULLIFIER_SPENT");
    } finally {
      again.store.close();
    }
  });
});
