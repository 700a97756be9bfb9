import { type DsMessage, maskSigners, toHex } from "@p2pnode/codec";
import { signVote } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { verifyCertificate, verifyEvidence } from "../../src/consensus/index.js";
import { CHAIN, DELTA, harness } from "./harness.js";

// n = 4, f = 1: slot 1 is led by validator 1; the validator under test is 2 (it leads slot 2).
const N = 4;
const F = 1;
const SELF = 2;

const relays = (sent: DsMessage[]) => sent.filter((m) => m.kind === "relay");
const commits = (sent: DsMessage[]) => sent.filter((m) => m.kind === "commit");

describe("Dolev-Strong validator: an honest leader's slot", () => {
  it("accepts the proposal in round 1, relays it once with its own signature, decides it and finalizes it", () => {
    const h = harness(N, F, SELF);
    const t0 = h.start(1);
    h.at(t0);
    const a = h.value(1, 1);
    const leaderSig = signVote(h.keys[1]!, "relay", CHAIN, 1, a.hash);
    expect(
      h.send({ kind: "proposal", slot: 1, leader: 1, signature: leaderSig, block: a.block }),
    ).toBeUndefined();
    const [relay] = relays(h.sent);
    expect(relay && maskSigners(relay.mask)).toEqual([1, SELF]);
    expect(relay?.block).toEqual(a.block);
    // The same value again, from anyone, changes nothing: it was relayed already.
    expect(h.send({ kind: "relay", ...h.relay(1, a, [0, 1]) })).toBeUndefined();
    expect(relays(h.sent)).toHaveLength(1);

    h.at(t0 + (F + 1) * DELTA);
    expect(h.decisions).toMatchObject([{ slot: 1, valuesSeen: 1, acceptedInRound: 1 }]);
    expect(toHex(h.decisions[0]!.blockHash!)).toBe(toHex(a.hash));
    const [vote] = commits(h.sent);
    expect(vote).toMatchObject({ slot: 1, signer: SELF });

    const other = signVote(h.keys[0]!, "commit", CHAIN, 1, a.hash);
    h.send({ kind: "commit", slot: 1, blockHash: a.hash, signer: 0, signature: other });
    expect(h.finalized).toHaveLength(1);
    const { certificate } = h.finalized[0]!;
    expect(maskSigners(certificate.mask)).toEqual([0, SELF]);
    expect(verifyCertificate(h.set, a.hash, certificate).signers).toEqual([0, SELF]);
  });

  it("proposes its own block when it leads and decides it", () => {
    const h = harness(N, F, SELF);
    h.at(h.start(2));
    const [proposal] = h.sent;
    expect(proposal).toMatchObject({ kind: "proposal", slot: 2, leader: SELF });
    h.at(h.start(2) + (F + 1) * DELTA);
    const mine = h.value(2, SELF);
    expect(h.decisions.map((d) => [d.slot, d.blockHash && toHex(d.blockHash)])).toEqual([
      [1, null],
      [2, toHex(mine.hash)],
    ]);
  });
});

describe("the validity rule: round r needs r signatures, the leader's among them", () => {
  it("refuses the leader's signature alone in round 2 and accepts two signatures there", () => {
    const h = harness(N, F, SELF);
    const t0 = h.start(1);
    h.at(t0);
    const a = h.value(1, 1);
    h.at(t0 + DELTA + 5);
    expect(h.send({ kind: "relay", ...h.relay(1, a, [1]) })?.reason).toBe("TOO_FEW_SIGNATURES");
    expect(relays(h.sent)).toHaveLength(0);
    expect(h.send({ kind: "relay", ...h.relay(1, a, [1, 3]) })).toBeUndefined();
    // Round 2 of f + 1 = 2 is the last: the value is accepted but not relayed.
    expect(relays(h.sent)).toHaveLength(0);
    h.at(t0 + 2 * DELTA);
    expect(h.decisions[0]).toMatchObject({ acceptedInRound: 2, valuesSeen: 1 });
  });

  it("checks a signature once: a later message repeating it verifies only what is new", () => {
    const h = harness(7, 2, SELF);
    const t0 = h.start(1);
    h.at(t0 + DELTA + 1);
    const a = h.value(1, 1);
    const before = h.ds.stats.signaturesVerified;
    expect(h.send({ kind: "relay", ...h.relay(1, a, [1]) })?.reason).toBe("TOO_FEW_SIGNATURES");
    expect(h.ds.stats.signaturesVerified - before).toBe(1);
    expect(h.send({ kind: "relay", ...h.relay(1, a, [1, 5]) })).toBeUndefined();
    expect(h.ds.stats.signaturesVerified - before).toBe(2);
  });

  it("relays a value accepted before the last round with every signature it carried plus its own", () => {
    const h = harness(7, 2, SELF);
    const t0 = h.start(1);
    h.at(t0 + DELTA + 1);
    const a = h.value(1, 1);
    h.send({ kind: "relay", ...h.relay(1, a, [1, 5]) });
    expect(relays(h.sent).map((r) => maskSigners(r.mask))).toEqual([[1, SELF, 5]]);
  });
});

describe("an equivocating leader", () => {
  it("relays at most two values, keeps evidence once, decides ⊥ and commits nothing", () => {
    const h = harness(N, F, SELF);
    const t0 = h.start(1);
    h.at(t0);
    for (const variant of [1, 2, 3]) {
      const v = h.value(1, 1, variant);
      h.send({
        kind: "proposal",
        slot: 1,
        leader: 1,
        signature: signVote(h.keys[1]!, "relay", CHAIN, 1, v.hash),
        block: v.block,
      });
    }
    expect(relays(h.sent)).toHaveLength(2);
    expect(h.evidence).toHaveLength(1);
    const [e] = h.evidence;
    expect(e).toMatchObject({ slot: 1, leader: 1 });
    expect(() => verifyEvidence(h.set, e!)).not.toThrow();
    h.at(t0 + 2 * DELTA);
    expect(h.decisions[0]).toMatchObject({ blockHash: null, valuesSeen: 2 });
    expect(commits(h.sent)).toHaveLength(0);
  });

  it("takes evidence from a peer after checking it, once; forged evidence is refused", () => {
    const h = harness(N, F, SELF);
    h.at(h.start(1));
    const [a, b] = [h.value(1, 1, 1), h.value(1, 1, 2)];
    const half = (v: typeof a, signer = 1) => ({
      blockHash: v.hash,
      signature: signVote(h.keys[signer]!, "relay", CHAIN, 1, v.hash),
    });
    const evidence: DsMessage = { kind: "evidence", slot: 1, leader: 1, first: half(a), second: half(b) };
    expect(h.send(evidence)).toBeUndefined();
    expect(h.send(evidence)).toBeUndefined();
    expect(h.evidence).toHaveLength(1);
    expect(h.send({ ...evidence, second: half(b, 3) })?.reason).toBe("BAD_SIGNATURE");
    expect(h.send({ ...evidence, slot: 2 })?.reason).toBe("WRONG_LEADER");
  });
});

describe("joining late", () => {
  it("sits out the slot it started in (it may have missed round 1) and takes part from the next", () => {
    const h = harness(N, F, SELF, 0);
    const t0 = h.start(1);
    expect(h.ds.firstSlot).toBe(1);
    const late = harness(N, F, SELF, t0 + 50);
    expect(late.ds.firstSlot).toBe(2);
    late.at(t0 + 50);
    const a = late.value(1, 1);
    late.send({
      kind: "proposal",
      slot: 1,
      leader: 1,
      signature: signVote(late.keys[1]!, "relay", CHAIN, 1, a.hash),
      block: a.block,
    });
    late.at(late.start(2) + (F + 1) * DELTA);
    expect(relays(late.sent)).toEqual([]);
    expect(late.decisions.map((d) => d.slot)).toEqual([2]);
  });
});
