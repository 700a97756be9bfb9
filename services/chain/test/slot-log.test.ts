import { maskOf } from "@p2pnode/codec";
import { signVote } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { slotStart } from "../src/consensus/index.js";
import { SlotLog } from "../src/finality/slot-log.js";
import { CHAIN, DELTA, validatorKeys, validatorSet } from "./consensus/harness.js";
import { simBlock, simBlockHash } from "./sim/sim-block.js";

// 4 validators, f = 1: rounds 1 and 2 relay, round 3 commits; slot s is led by s mod 4.
const keys = validatorKeys(4);
const set = validatorSet(keys, 1);
const value = (slot: number, variant = 0) => {
  const block = simBlock(slot, slot % 4, variant, 0);
  return { block, hash: simBlockHash(block) };
};
const relay = (slot: number, v: { hash: Uint8Array }, signers: number[]) => ({
  kind: "relay" as const,
  slot,
  leader: slot % 4,
  blockHash: v.hash,
  mask: maskOf(signers, 4),
  signatures: signers.map((s) => signVote(keys[s]!, "relay", CHAIN, slot, v.hash)),
  block: new Uint8Array(),
});
const commit = (slot: number, v: { hash: Uint8Array }, signer: number) => ({
  kind: "commit" as const,
  slot,
  blockHash: v.hash,
  signer,
  signature: signVote(keys[signer]!, "commit", CHAIN, slot, v.hash),
});
const inRound = (slot: number, round: number) => slotStart(set, slot) + (round - 1) * DELTA + DELTA / 2;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("the slot log behind the dashboard's consensus heatmap", () => {
  it("places each validator's verified signature in the round it first arrived, and commit votes in the last", () => {
    const log = new SlotLog(set, slotStart(set, 1) - 1);
    const v = value(1);
    const proposal = {
      kind: "proposal" as const,
      slot: 1,
      leader: 1,
      signature: relay(1, v, [1]).signatures[0]!,
      block: v.block,
    };
    log.note(proposal, inRound(1, 1), v.hash);
    // Round 2: validator 2 relays with the leader's signature; the leader's is not new.
    log.note(relay(1, v, [1, 2]), inRound(1, 2));
    // A forged signature for validator 3 is left out; the real ones already counted are not repeated.
    const forged = relay(1, v, [1, 2, 3]);
    forged.signatures[2] = forged.signatures[1]!;
    log.note(forged, inRound(1, 2));
    log.note(commit(1, v, 0), inRound(1, 3));
    log.note(commit(1, v, 2), inRound(1, 3));
    const view = log.view(4, inRound(1, 3), new Map());
    const slot = view.slots.find((s) => s.slot === 1)!;
    expect(slot.leader).toBe(1);
    expect(slot.values).toEqual([hex(v.hash)]);
    expect(slot.signed).toEqual([
      { validator: 1, round: 1, kind: "relay", value: 0 },
      { validator: 2, round: 2, kind: "relay", value: 0 },
      { validator: 0, round: 3, kind: "commit", value: 0 },
      { validator: 2, round: 3, kind: "commit", value: 0 },
    ]);
    expect(slot.outcome).toBe("open");
    // Once the chain holds the slot's final block, it is final with the certificate's signers.
    const final = { height: 1, hash: hex(v.hash), signers: [0, 2] };
    const later = log.view(4, slotStart(set, 3), new Map([[1, final]]));
    expect(later.slots.find((s) => s.slot === 1)).toMatchObject({ outcome: "final", block: final });
    expect(later).toMatchObject({ validators: 4, f: 1, roundMs: DELTA, current: 3 });
    expect(later.slots.map((s) => s.slot)).toEqual([3, 2, 1]);
  });

  it("marks ⊥: a validator's own ⊥ decision, or a watched slot that ended with no block final", () => {
    const log = new SlotLog(set, slotStart(set, 1) + 10);
    // Slot 1 began before the log: without a block it is unknown, not ⊥.
    // Slot 2: nothing arrived (its leader is down). Slot 3: this validator decided ⊥.
    log.decided(3, null);
    const now = slotStart(set, 5) + DELTA * 1.5;
    const view = log.view(10, now, new Map());
    const outcome = Object.fromEntries(view.slots.map((s) => [s.slot, s.outcome]));
    expect(outcome).toEqual({ 5: "open", 4: "bottom", 3: "bottom", 2: "bottom", 1: "unknown" });
    // Until a round after the slot's end, a slot with no block is still open.
    expect(log.view(1, slotStart(set, 5) - 1, new Map()).slots[0]).toMatchObject({
      slot: 4,
      outcome: "open",
    });
    const decided = value(4);
    log.decided(4, decided.hash);
    expect(log.view(2, now, new Map()).slots[1]).toMatchObject({ slot: 4, outcome: "decided" });
  });

  it("keeps an equivocating leader's two values apart, and stays bounded", () => {
    const log = new SlotLog(set, slotStart(set, 1) - 1);
    const a = value(2, 0);
    const b = value(2, 1);
    log.note(relay(2, a, [2, 3]), inRound(2, 2));
    log.note(relay(2, b, [0, 2]), inRound(2, 2));
    const slot = log.view(1, inRound(2, 3), new Map()).slots[0]!;
    expect(slot.values).toEqual([hex(a.hash), hex(b.hash)]);
    expect(slot.signed).toContainEqual({ validator: 3, round: 2, kind: "relay", value: 0 });
    expect(slot.signed).toContainEqual({ validator: 0, round: 2, kind: "relay", value: 1 });
    expect(slot.signed.filter((s) => s.validator === 2)).toHaveLength(2);
    // Evidence that reached us alone (neither block did) still shows both values.
    const c = value(3, 0);
    const d = value(3, 1);
    const sig = (v: { hash: Uint8Array }) => signVote(keys[3]!, "relay", CHAIN, 3, v.hash);
    log.note(
      {
        kind: "evidence",
        slot: 3,
        leader: 3,
        first: { blockHash: c.hash, signature: sig(c) },
        second: { blockHash: d.hash, signature: sig(d) },
      },
      inRound(3, 2),
    );
    expect(log.view(1, inRound(3, 2), new Map()).slots[0]!.values).toEqual([hex(c.hash), hex(d.hash)]);
    // A hundred slots later slot 2 is forgotten (64 are kept); a message from the far future is ignored.
    for (let s = 3; s < 103; s++) log.decided(s, null);
    expect(log.view(64, inRound(65, 1), new Map()).slots.find((s) => s.slot === 2)!.values).toEqual([]);
    log.note(relay(200, a, [0]), inRound(102, 1));
    expect(log.view(1, inRound(200, 1), new Map()).slots[0]!.signed).toEqual([]);
  });
});
