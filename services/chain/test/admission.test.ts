import type { Block, SignedTransaction } from "@p2pnode/codec";
import { CryptoError, type SignedMessage, VerifyPool } from "@p2pnode/crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Admission, type SignatureVerifier } from "../src/admission.js";
import type { Chain } from "../src/chain.js";
import { alice, bob, carol, makeBlock, openChain, testGenesis, transfer } from "./helpers.js";

const genesis = testGenesis();
const pool = new VerifyPool({ threads: 2, minChunk: 4 });
afterAll(() => pool.close());

/** A copy of `stx` whose signature no longer verifies. */
function forged(stx: SignedTransaction): SignedTransaction {
  const signature = stx.signature.slice();
  signature[5]! ^= 0x40;
  return { ...stx, signature };
}

/** The code a call fails with, or "OK" (with the refusal's details, which carry the tx index). */
async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return "OK";
  } catch (err) {
    const e = err as { code: string; details?: { index?: number } };
    return e.details?.index === undefined ? e.code : `${e.code}@${e.details.index}`;
  }
}

/** How many mempool commits `chain` has made since this call. */
function countCommits(chain: Chain): () => number {
  let commits = 0;
  const flush = chain.flushMempool.bind(chain);
  chain.flushMempool = () => {
    commits++;
    flush();
  };
  return () => commits;
}

/** Txs that exercise every refusal submitTx can give before, at and after the signature. */
function txScript(): { stx: SignedTransaction; claimedId?: string }[] {
  const a0 = transfer(alice, bob, 5n, 0);
  return [
    { stx: a0 },
    { stx: transfer(alice, bob, 5n, 1) },
    { stx: transfer(alice, bob, 5n, 2) }, // a nonce chain, all in one turn: order must hold
    { stx: a0 }, // DUPLICATE
    { stx: forged(transfer(bob, alice, 1n, 0)) }, // INVALID_SIGNATURE
    { stx: transfer(bob, alice, 1n, 0, 10n, "other-chain") }, // signed for another chain
    { stx: transfer(bob, alice, 1n, 0, 0n) }, // FEE_TOO_LOW
    { stx: transfer(bob, alice, 1n, 0), claimedId: "00".repeat(32) }, // INVALID_HASH
    { stx: transfer(carol, alice, 1n, 0) }, // no funds
    { stx: transfer(bob, alice, 1n, 0) },
    { stx: transfer(bob, alice, 1n, 2) }, // a nonce gap
  ];
}

/** Blocks on a chain of their own: two good ones, then one whose tx 1 is forged. */
function blockScript(): Block[] {
  const maker = openChain(genesis);
  const b1 = makeBlock(maker, { txs: [transfer(alice, bob, 5n, 0), transfer(bob, alice, 1n, 0)] });
  maker.submitBlock(b1);
  const b2 = makeBlock(maker, { txs: [transfer(alice, bob, 5n, 1)] });
  maker.submitBlock(b2);
  const b3 = makeBlock(maker, { txs: [transfer(alice, bob, 5n, 2), forged(transfer(bob, alice, 1n, 1))] });
  const b4 = makeBlock(maker, { txs: [transfer(alice, bob, 5n, 2)], gap: 3_000 });
  maker.store.close();
  return [b1, b2, b3, b4, b1];
}

describe("admission on a VerifyPool answers as the chain did inline", () => {
  it("txs submitted in one turn: every accept and refusal code the same, the mempool the same", async () => {
    const inline = openChain(genesis);
    const expected: string[] = [];
    for (const t of txScript()) expected.push(await outcome(() => inline.submitTx(t.stx, t.claimedId)));

    const chain = openChain(genesis);
    const admission = new Admission({ chain, verifier: pool });
    const got = await Promise.all(
      txScript().map((t) => outcome(() => admission.submitTx(t.stx, t.claimedId))),
    );
    expect(got).toEqual(expected);
    expect(got.filter((c) => c === "OK").length).toBe(4);
    expect(got).toContain("INVALID_SIGNATURE");
    expect(chain.mempool.size).toBe(inline.mempool.size);
  });

  it("blocks submitted back to back: applied in order, a forged tx refused with its index", async () => {
    const inline = openChain(genesis);
    const expected: string[] = [];
    for (const b of blockScript()) expected.push(await outcome(() => inline.submitBlock(b)));

    const chain = openChain(genesis);
    const admission = new Admission({ chain, verifier: pool });
    const got = await Promise.all(blockScript().map((b) => outcome(() => admission.submitBlock(b))));
    expect(got).toEqual(expected);
    expect(got).toEqual(["OK", "OK", "INVALID_SIGNATURE@1", "OK", "OK"]);
    expect(chain.tipBlock.height).toBe(3);
    expect(chain.tip().hash).toBe(inline.tip().hash);
  });
});

/** A verifier that answers from a table, recording what it was asked. */
function scripted(answer: (s: SignedMessage) => Promise<boolean>): SignatureVerifier & { asked: number } {
  const v = {
    asked: 0,
    verify: (s: SignedMessage) => {
      v.asked++;
      return answer(s);
    },
  };
  return v;
}

describe("admission's use of the verifier", () => {
  it("takes the verifier's verdicts: a block's signatures are all asked for at once, none verified inline", async () => {
    const chain = openChain(genesis);
    const no = scripted(async () => false);
    const admission = new Admission({ chain, verifier: no });
    const [b1] = blockScript();
    const refused = outcome(() => admission.submitBlock(b1!));
    expect(no.asked).toBe(2); // both signatures handed over before any answer
    expect(await refused).toBe("INVALID_SIGNATURE@0");
    expect(await outcome(() => admission.submitTx(transfer(alice, bob, 1n, 0)))).toBe("INVALID_SIGNATURE");
  });

  it("keeps arrival order when verdicts come back out of order: nonce 1's early verdict waits for nonce 0", async () => {
    const chain = openChain(genesis);
    let release: (ok: boolean) => void = () => undefined;
    const slowFirst = scripted((s) =>
      s.publicKey === alice.key.publicKey && slowFirst.asked === 1
        ? new Promise<boolean>((r) => {
            release = r;
          })
        : Promise.resolve(true),
    );
    const admission = new Admission({ chain, verifier: slowFirst });
    const first = outcome(() => admission.submitTx(transfer(alice, bob, 1n, 0)));
    const second = outcome(() => admission.submitTx(transfer(alice, bob, 1n, 1)));
    await new Promise((r) => setImmediate(r)); // every verdict but nonce 0's is in
    expect(chain.mempool.size).toBe(0); // nonce 1 is verified but not admitted before nonce 0
    release(true);
    expect([await first, await second]).toEqual(["OK", "OK"]);
  });

  it("verdicts that come back one message each, as a pool's threads send them, share one mempool commit", async () => {
    const chain = openChain(genesis);
    const commits = countCommits(chain);
    // Each verdict in its own macrotask, like one reply message per batch from a verify thread.
    const perMessage = scripted(() => new Promise<boolean>((r) => setImmediate(() => r(true))));
    const admission = new Admission({ chain, verifier: perMessage });
    const txs = [transfer(alice, bob, 1n, 0), transfer(alice, bob, 1n, 1), transfer(bob, alice, 1n, 0)];
    const got = await Promise.all(txs.map((stx) => outcome(() => admission.submitTx(stx))));
    expect(got).toEqual(["OK", "OK", "OK"]);
    expect(chain.mempool.size).toBe(3);
    expect(commits()).toBe(1);
  });

  it("counts where admitted txs spent their time: the verify wait, the group commits", async () => {
    const chain = openChain(genesis);
    // Every verdict 30 ms after the first is asked for, all from one timer: each tx waits about
    // that long for its own, and the three arrive in one macrotask, so they share one commit. (A
    // timer per tx, started microseconds apart, could expire in two turns of a busy event loop:
    // two commits, which a loaded CI run saw.)
    let verdicts: Promise<boolean> | undefined;
    const slow = scripted(() => {
      verdicts ??= new Promise<boolean>((r) => setTimeout(() => r(true), 30));
      return verdicts;
    });
    const admission = new Admission({ chain, verifier: slow });
    const txs = [transfer(alice, bob, 1n, 0), transfer(alice, bob, 1n, 1), transfer(bob, alice, 1n, 0)];
    await Promise.all(txs.map((stx) => admission.submitTx(stx)));
    const s = admission.stats;
    expect(s).toMatchObject({ txs: 3, commits: 1 });
    expect(s.verifySeconds).toBeGreaterThanOrEqual(3 * 0.025);
    expect(s.commitSeconds).toBeGreaterThan(0);
    expect(s.waitSeconds).toBeGreaterThanOrEqual(0);
    // A block goes through admission too, but it is not a tx of a group commit.
    await admission.submitBlock(makeBlock(chain, { txs: [] }));
    expect(admission.stats).toMatchObject({ txs: 3, commits: 1 });
  });

  it("without a verifier, one turn's txs share one mempool commit and a block between them keeps its place", async () => {
    const chain = openChain(genesis);
    const commits = countCommits(chain);
    const [b1] = blockScript(); // alice's nonce 0 and bob's nonce 0
    const admission = new Admission({ chain, verifier: undefined });
    const got = await Promise.all([
      outcome(() => admission.submitTx(transfer(carol, alice, 1n, 0))), // no funds until b1
      outcome(() => admission.submitTx(transfer(alice, bob, 1n, 0))), // mined by b1 after this
      outcome(() => admission.submitBlock(b1!)),
      outcome(() => admission.submitTx(transfer(alice, bob, 1n, 1))),
      outcome(() => admission.submitTx(transfer(bob, carol, 1n, 1))),
    ]);
    expect(got).toEqual(["INSUFFICIENT_FUNDS", "OK", "OK", "OK", "OK"]);
    expect(chain.tip().height).toBe(1);
    expect(chain.mempool.size).toBe(2); // alice's nonce 0 left the pool with b1
    expect(commits()).toBe(2); // the two txs before the block, and the two after it
  });

  it("asks nothing for a replayed nonce, a duplicate or a block without proof of work", async () => {
    const chain = openChain(genesis);
    const [b1] = blockScript();
    chain.submitBlock(b1!);
    const yes = scripted(async () => true);
    const admission = new Admission({ chain, verifier: yes });
    expect(await outcome(() => admission.submitTx(transfer(alice, bob, 7n, 0)))).toBe("BAD_NONCE");
    expect(await outcome(() => admission.submitBlock(b1!))).toBe("OK"); // known
    const hard = makeBlock(chain, {
      txs: [transfer(alice, bob, 5n, 1)],
      noPow: true,
      edit: (h) => {
        h.target = new Uint8Array(32);
      },
    });
    expect(await outcome(() => admission.submitBlock(hard))).toBe("INVALID_POW");
    expect(yes.asked).toBe(0);
  });

  it("verifies inline when the pool cannot answer (a thread died twice): same verdicts", async () => {
    const chain = openChain(genesis);
    const broken = scripted(() => Promise.reject(new CryptoError("WORKER_FAILED", "thread died")));
    const admission = new Admission({ chain, verifier: broken });
    expect(await outcome(() => admission.submitTx(transfer(alice, bob, 1n, 0)))).toBe("OK");
    expect(await outcome(() => admission.submitTx(forged(transfer(bob, alice, 1n, 0))))).toBe(
      "INVALID_SIGNATURE",
    );
    expect(broken.asked).toBe(2);
  });

  it("close() refuses what waits with NOT_READY and what comes after: nothing reaches a closing store", async () => {
    const chain: Chain = openChain(genesis);
    const never = scripted(() => new Promise<boolean>(() => undefined));
    const admission = new Admission({ chain, verifier: never });
    const waiting = outcome(() => admission.submitTx(transfer(alice, bob, 1n, 0)));
    admission.close();
    expect(await waiting).toBe("NOT_READY");
    expect(await outcome(() => admission.submitTx(transfer(alice, bob, 1n, 1)))).toBe("NOT_READY");
    expect(chain.mempool.size).toBe(0);
  });
});
