import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ShieldedTransferTx, type ShieldTx, signedTransactionToJson } from "@p2pnode/codec";
import { addressOf, CommitmentTree, prepareSpend, randomSpendingKey, spendTxFields } from "@p2pnode/shielded";
import type { SignedTransactionJson } from "@p2pnode/types";
import { afterAll, describe, expect, it } from "vitest";
import { loadSpendingKey, pickNotes, scanBlocks } from "../src/shielded/wallet.js";

/*
 * The CLI wallet's scan on blocks as the chain's REST API returns them: it rebuilds the tree,
 * finds the key's notes with its viewing key and drops the ones whose nullifier was published.
 * The proofs are stand-ins: the wallet never verifies them (every node does).
 */
const dir = mkdtempSync(join(tmpdir(), "p2pnode-shielded-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STAND_IN = new Uint8Array(8);
const json = (tx: ShieldTx | ShieldedTransferTx): SignedTransactionJson =>
  signedTransactionToJson({ tx, signature: tx.kind === "shield" ? new Uint8Array(64) : new Uint8Array(0) });

describe("shielded wallet (CLI)", () => {
  it("keeps the spending key in a file of mode 0600 and reads it back", () => {
    const file = join(dir, "k.json");
    const sk = loadSpendingKey(file, true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSpendingKey(file, false)).toEqual(sk);
    expect(() => loadSpendingKey(join(dir, "missing.json"), false)).toThrow(/shielded address/);
  });

  it("finds its notes, forgets spent ones, and picks notes that cover a payment", () => {
    const me = randomSpendingKey();
    const other = randomSpendingKey();
    const tree = new CommitmentTree();
    const shield = prepareSpend({
      sk: me,
      inputs: [],
      tree,
      outputs: [{ to: addressOf(me), value: 1000n }],
      publicIn: 1000n,
    });
    const shieldTx: ShieldTx = {
      kind: "shield",
      from: new Uint8Array(32),
      amount: 1000n,
      fee: 1n,
      nonce: 0,
      ...spendTxFields(shield),
      proof: STAND_IN,
    };
    const block1 = [json(shieldTx)];
    const after1 = scanBlocks(me, [block1]);
    expect(after1.notes.map((n) => n.note.value)).toEqual([1000n]);
    expect(scanBlocks(other, [block1]).notes).toEqual([]);
    expect(pickNotes(after1.notes, 600n)).toHaveLength(1);
    expect(() => pickNotes(after1.notes, 1001n)).toThrow(/does not cover/);

    const pay = prepareSpend({
      sk: me,
      inputs: pickNotes(after1.notes, 605n),
      tree: after1.tree,
      outputs: [
        { to: addressOf(other), value: 600n },
        { to: addressOf(me), value: 395n },
      ],
      fee: 5n,
    });
    const payTx: ShieldedTransferTx = { kind: "shielded", fee: 5n, ...spendTxFields(pay), proof: STAND_IN };
    const blocks = [block1, [], [json(payTx)]];
    expect(scanBlocks(me, blocks).notes.map((n) => n.note.value)).toEqual([395n]);
    const theirs = scanBlocks(other, blocks);
    expect(theirs.notes.map((n) => [n.note.value, n.position])).toEqual([[600n, 2]]);
    expect(theirs.scanned).toEqual({ blocks: 3, outputs: 4 });
  });
});
