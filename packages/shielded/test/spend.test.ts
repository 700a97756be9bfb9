import { decodeProof, encodeProof, prove, SpendAir, spendTrace } from "@p2pnode/stark";
import { describe, expect, it } from "vitest";
import {
  addressOf,
  CommitmentTree,
  MAX_SPEND_PROOF_BYTES,
  type OwnedNote,
  prepareSpend,
  proveSpend,
  RootWindow,
  ShieldedError,
  scanOutputs,
  spendingKeyFromSeed,
  verifySpend,
  viewingKeyOf,
} from "../src/index.js";

const alice = spendingKeyFromSeed(new Uint8Array(32).fill(0xa1));
const bob = spendingKeyFromSeed(new Uint8Array(32).fill(0xb0));
const tx = (b: number) => new Uint8Array(32).fill(b);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ShieldedError ? e.code : `not a ShieldedError: ${String(e)}`;
  }
  return undefined;
}

/** One story: Alice shields 1000, pays Bob 600 privately; each wallet finds its notes by scanning. */
describe("shielded spends end to end", () => {
  const tree = new CommitmentTree();
  const roots = new RootWindow();
  roots.push(tree.root());

  const shield = prepareSpend({
    sk: alice,
    inputs: [],
    tree,
    outputs: [{ to: addressOf(alice), value: 995n }],
    publicIn: 1000n,
    fee: 5n,
  });
  const shielded = proveSpend(shield, tx(1));
  for (const out of shield.outputs) tree.append(out.commitment);
  roots.push(tree.root());

  it("verifies a shield transaction, and Alice's viewing key finds the 995 note", () => {
    verifySpend(shielded.statement, shielded.proof);
    expect(roots.has(shielded.statement.root)).toBe(true);
    const { found } = scanOutputs(viewingKeyOf(alice), shield.outputs);
    expect(found.map((f) => f.note.value).sort()).toEqual([0n, 995n]);
    expect(scanOutputs(viewingKeyOf(bob), shield.outputs).found).toEqual([]);
  });

  it("pays Bob from the shielded note: Bob finds 600, Alice her 390 change, nobody else anything", () => {
    const mine = scanOutputs(viewingKeyOf(alice), shield.outputs).found;
    const inputs: OwnedNote[] = mine.map((f) => ({ note: f.note, position: f.index }));
    const pay = prepareSpend({
      sk: alice,
      inputs,
      tree,
      outputs: [
        { to: addressOf(bob), value: 600n },
        { to: addressOf(alice), value: 390n },
      ],
      fee: 5n,
    });
    const { statement, proof } = proveSpend(pay, tx(2));
    verifySpend(statement, proof);
    expect(statement.nullifiers).toEqual(pay.nullifiers);
    expect(scanOutputs(viewingKeyOf(bob), pay.outputs).found.map((f) => f.note.value)).toEqual([600n]);
    expect(scanOutputs(viewingKeyOf(alice), pay.outputs).found.map((f) => f.note.value)).toEqual([390n]);
    // the proof is bound to its transaction
    expect(code(() => verifySpend({ ...statement, txHash: tx(3) }, proof))).toBe("BAD_PROOF");
  });

  it("refuses spends that do not balance or spend someone else's note", () => {
    const mine = scanOutputs(viewingKeyOf(alice), shield.outputs).found;
    const note995 = mine.find((f) => f.note.value === 995n)!;
    const input = { note: note995.note, position: note995.index };
    expect(
      code(() =>
        prepareSpend({ sk: alice, inputs: [input], tree, outputs: [{ to: addressOf(bob), value: 996n }] }),
      ),
    ).toBe("BAD_SPEND");
    expect(code(() => prepareSpend({ sk: bob, inputs: [input], tree, outputs: [] }))).toBe("BAD_SPEND");
    expect(
      code(() => prepareSpend({ sk: alice, inputs: [{ ...input, position: 1 }], tree, outputs: [] })),
    ).toBe("BAD_SPEND");
  });

  it("refuses oversize, malformed and non-zero-knowledge proofs with typed errors", () => {
    expect(code(() => verifySpend(shielded.statement, new Uint8Array(MAX_SPEND_PROOF_BYTES + 1)))).toBe(
      "PROOF_TOO_LARGE",
    );
    expect(code(() => verifySpend(shielded.statement, new Uint8Array(100)))).toBe("BAD_PROOF");
    const truncated = shielded.proof.subarray(0, shielded.proof.length - 1);
    expect(code(() => verifySpend(shielded.statement, truncated))).toBe("BAD_PROOF");
    const plain = spendTrace({ ...shield.witness, txHash: tx(1) });
    const plainProof = encodeProof(
      prove(new SpendAir(plain.statement), plain.trace, {
        params: { ...decodeProof(shielded.proof).params, zk: false },
      }),
    );
    expect(code(() => verifySpend(plain.statement, plainProof))).toBe("BAD_PROOF");
    expect(code(() => verifySpend({ ...shielded.statement, fee: 2n ** 64n }, shielded.proof))).toBe(
      "BAD_SPEND",
    );
  });
});
