import { type DsMessage, encodeDsMessage, maskOf } from "@p2pnode/codec";
import { signVote } from "@p2pnode/crypto";
import type { ConsensusRejectReason } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { CHAIN, DELTA, type Harness, harness } from "./harness.js";

/*
 * Every way a consensus message can be wrong, each refused with its typed reason, and none of
 * them leaving a trace: after all of them the validator under test has accepted nothing,
 * relayed nothing and decides ⊥ for the slot. n = 4, f = 1; slot 1 is led by validator 1.
 */

const N = 4;
const SLOT = 1;
const LEADER = 1;
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.length);
// Offsets in an encoded relay: kind 1, version 1, slot 8, leader 2, hash 32, block length 4.
const BLOCK_LENGTH_AT = 44;

type Case = [name: string, reason: ConsensusRejectReason, make: (h: Harness) => Uint8Array];

const proposalOf = (_h: Harness, signature: Uint8Array, block: Uint8Array, leader = LEADER): Uint8Array =>
  encodeDsMessage({ kind: "proposal", slot: SLOT, leader, signature, block });
const relayBytes = (h: Harness, signers: number[], withBlock = true) =>
  encodeDsMessage({ kind: "relay", ...h.relay(SLOT, h.value(SLOT, LEADER), signers, withBlock) });
const maskAt = (bytes: Uint8Array) => BLOCK_LENGTH_AT + 4 + view(bytes).getUint32(BLOCK_LENGTH_AT);

const cases: Case[] = [
  ["bytes that are no message", "MALFORMED", () => Uint8Array.of(0x02, 0x01, 0x00)],
  [
    "a signer bit set without its signature",
    "MISSING_SIGNATURE",
    (h) => relayBytes(h, [1, 3]).subarray(0, -64),
  ],
  [
    "a signature without a signer bit",
    "EXTRA_SIGNATURE",
    (h) => Uint8Array.from([...relayBytes(h, [1]), ...new Uint8Array(64)]),
  ],
  [
    "an oversize signer mask",
    "MASK_SIZE",
    (h) => {
      const r = relayBytes(h, [1, 3]);
      const at = maskAt(r);
      const out = Uint8Array.from([...r.subarray(0, at + 2), 0, ...r.subarray(at + 2)]);
      view(out).setUint16(at, 2);
      return out;
    },
  ],
  [
    "a bit past the validators",
    "UNKNOWN_SIGNER",
    (h) => {
      const r = relayBytes(h, [1]);
      r[maskAt(r) + 2]! |= 0x10; // bit 4 of 4 validators: padding
      return Uint8Array.from([...r, ...new Uint8Array(64)]);
    },
  ],
  [
    "the leader's signature from another slot",
    "BAD_SIGNATURE",
    (h) =>
      proposalOf(
        h,
        signVote(h.keys[LEADER]!, "relay", CHAIN, SLOT + 4, h.value(SLOT, LEADER).hash),
        h.value(SLOT, LEADER).block,
      ),
  ],
  [
    "the leader's signature from another chain",
    "BAD_SIGNATURE",
    (h) =>
      proposalOf(
        h,
        signVote(h.keys[LEADER]!, "relay", "other-net", SLOT, h.value(SLOT, LEADER).hash),
        h.value(SLOT, LEADER).block,
      ),
  ],
  [
    "the leader's signature on another block",
    "BAD_SIGNATURE",
    (h) =>
      proposalOf(
        h,
        signVote(h.keys[LEADER]!, "relay", CHAIN, SLOT, h.value(SLOT, LEADER, 9).hash),
        h.value(SLOT, LEADER).block,
      ),
  ],
  [
    "the leader's commit signature in place of its relay signature",
    "BAD_SIGNATURE",
    (h) =>
      proposalOf(
        h,
        signVote(h.keys[LEADER]!, "commit", CHAIN, SLOT, h.value(SLOT, LEADER).hash),
        h.value(SLOT, LEADER).block,
      ),
  ],
  [
    "a relay whose second signature is another validator's",
    "BAD_SIGNATURE",
    (h) => {
      const r = h.relay(SLOT, h.value(SLOT, LEADER), [1, 3]);
      r.signatures[1] = signVote(h.keys[0]!, "relay", CHAIN, SLOT, r.blockHash);
      return encodeDsMessage({ kind: "relay", ...r });
    },
  ],
  ["a relay without the leader's bit", "NO_LEADER_SIGNATURE", (h) => relayBytes(h, [0, 3])],
  [
    "a proposal by a validator that does not lead the slot",
    "WRONG_LEADER",
    (h) => {
      const v = h.value(SLOT, 0);
      return proposalOf(h, signVote(h.keys[0]!, "relay", CHAIN, SLOT, v.hash), v.block, 0);
    },
  ],
  [
    "an attached block that is not the relayed one",
    "BAD_BLOCK",
    (h) => {
      const r = h.relay(SLOT, h.value(SLOT, LEADER), [1]);
      return encodeDsMessage({ kind: "relay", ...r, block: h.value(SLOT, LEADER, 5).block });
    },
  ],
  [
    "a proposal whose block is not a block",
    "BAD_BLOCK",
    (h) => proposalOf(h, new Uint8Array(64), Uint8Array.of(1, 2, 3)),
  ],
  ["a relay of a value not held, without the block", "NO_BLOCK", (h) => relayBytes(h, [1, 3], false)],
  [
    "a message for a slot far ahead",
    "SLOT_OUT_OF_WINDOW",
    (h) => {
      const v = h.value(40, 0);
      return encodeDsMessage({ kind: "relay", ...h.relay(40, v, [0]) });
    },
  ],
  [
    "a commit vote signed by someone else",
    "BAD_SIGNATURE",
    (h) => {
      const v = h.value(SLOT, LEADER);
      const signature = signVote(h.keys[0]!, "commit", CHAIN, SLOT, v.hash);
      return encodeDsMessage({ kind: "commit", slot: SLOT, blockHash: v.hash, signer: 3, signature });
    },
  ],
];

describe("consensus messages refused with typed reasons, nothing kept", () => {
  it.each(cases)("%s → %s", (_name, reason, make) => {
    const h = harness(N, 1, 2);
    h.at(h.start(SLOT));
    expect(h.ds.receive(make(h), "peer-x")).toMatchObject({ reason, from: "peer-x" });
    expect(h.rejected.map((r) => r.reason)).toEqual([reason]);
    h.at(h.start(SLOT) + 2 * DELTA);
    expect(h.sent.filter((m) => m.kind !== "proposal")).toEqual([]);
    expect(h.decisions[0]).toMatchObject({ slot: SLOT, blockHash: null, valuesSeen: 0 });
  });

  it("refuses a proposal after its slot decided as LATE (and it does not change the decision)", () => {
    const h = harness(N, 1, 2);
    h.at(h.start(SLOT) + 2 * DELTA);
    const v = h.value(SLOT, LEADER);
    const late = proposalOf(h, signVote(h.keys[LEADER]!, "relay", CHAIN, SLOT, v.hash), v.block);
    expect(h.ds.receive(late)?.reason).toBe("LATE");
    expect(h.decisions[0]?.blockHash).toBeNull();
  });

  it("counts each commit signer once and refuses a second block from the same signer", () => {
    const h = harness(N, 1, 2);
    h.at(h.start(SLOT));
    const [a, b] = [h.value(SLOT, LEADER, 1), h.value(SLOT, LEADER, 2)];
    const vote = (signer: number, v: typeof a): DsMessage => ({
      kind: "commit",
      slot: SLOT,
      blockHash: v.hash,
      signer,
      signature: signVote(h.keys[signer]!, "commit", CHAIN, SLOT, v.hash),
    });
    expect(h.send(vote(0, a))).toBeUndefined();
    expect(h.send(vote(0, a))?.reason).toBe("DUPLICATE_SIGNER");
    expect(h.send(vote(0, b))?.reason).toBe("CONFLICTING_COMMIT");
    expect(h.finalized).toEqual([]);
    expect(h.send(vote(3, a))).toBeUndefined();
    expect(h.finalized.map((x) => x.slot)).toEqual([SLOT]);
    expect(h.finalized[0]!.certificate.mask).toEqual(maskOf([0, 3], N));
  });
});
