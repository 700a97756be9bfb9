import { type DsMessage, encodeDsMessage } from "@p2pnode/codec";
import { leaderOf, slotStart, type ValidatorSet } from "../../src/consensus/index.js";
import { FORGERIES } from "./forgeries.js";
import type { Knowledge, KnownValue } from "./knowledge.js";
import type { Rng } from "./rng.js";
import { simBlock, simBlockHash } from "./sim-block.js";
import type { SimWorld } from "./world.js";

/** What the coalition does in a slot it leads. */
export type LeaderPlan = "silent" | "honest" | "equivocate" | "split-last-round";
/** What it does in a slot an honest validator leads. */
export type FollowerPlan = "silent" | "relay-games";

export interface AdversaryEnv {
  set: ValidatorSet;
  rng: Rng;
  world: SimWorld;
  knowledge: Knowledge;
  honest: readonly number[];
  /** Members the adversary scripts (twins run honest code and are not scripted). */
  scripted: readonly number[];
  /** Schedules delivery of `bytes` from member `from` to honest validator `to` at time `at`. */
  deliver(from: number, to: number, bytes: Uint8Array, at: number): void;
}

/**
 * The faulty validators, scripted. Per slot it picks a plan (equivocate with 2–4 blocks to
 * different validators in different rounds, the last-round split, silence, honest-looking
 * proposals, relay games with late and partial signature sets), forges malformed or replayed
 * messages, and plays the commit phase (withhold, commit a fake block, commit two).
 */
export class Adversary {
  readonly plans = new Map<number, LeaderPlan | FollowerPlan>();

  constructor(private readonly env: AdversaryEnv) {}

  /** Called at each slot's start. */
  startSlot(slot: number): void {
    const { set, rng, scripted } = this.env;
    if (scripted.length === 0) return;
    const leader = leaderOf(set, slot);
    if (scripted.includes(leader)) {
      const plan = rng.pick<LeaderPlan>(["silent", "honest", "equivocate", "equivocate", "split-last-round"]);
      this.plans.set(slot, plan);
      if (plan === "honest") this.proposeOne(slot, leader);
      if (plan === "equivocate") this.equivocate(slot, leader);
      if (plan === "split-last-round") this.splitLastRound(slot, leader);
    } else {
      const plan = rng.pick<FollowerPlan>(["silent", "relay-games"]);
      this.plans.set(slot, plan);
      if (plan === "relay-games") this.relayGames(slot, leader);
    }
    for (const member of scripted) {
      if (rng.chance(0.5)) this.forge(slot, member, rng.int(1, 2));
      this.commitGames(slot, member);
    }
  }

  private at(slot: number, round: number): number {
    const { set, rng } = this.env;
    return slotStart(set, slot) + (round - 1) * set.roundMs + rng.int(0, set.roundMs - 1);
  }

  /** A delay: usually inside the round (≤ Δ − 1), sometimes late (Δ … 3Δ). */
  private delay(lateChance = 0.15): number {
    const { set, rng } = this.env;
    return rng.chance(lateChance) ? rng.int(set.roundMs, 3 * set.roundMs) : rng.int(0, set.roundMs - 1);
  }

  private send(from: number, to: number, m: DsMessage, at: number): void {
    this.env.deliver(from, to, encodeDsMessage(m), at);
  }

  private newValue(slot: number, leader: number, variant: number): KnownValue {
    const block = simBlock(slot, leader, variant, this.env.rng.u32());
    const v = this.env.knowledge.value(slot, simBlockHash(block), block);
    this.env.knowledge.relay(v, leader, [leader], true); // the leader signs it
    return v;
  }

  private proposeOne(slot: number, leader: number): void {
    const v = this.newValue(slot, leader, 1);
    for (const j of this.env.honest) {
      this.send(leader, j, proposal(v, leader), slotStart(this.env.set, slot) + this.delay(0));
    }
  }

  /** 2–4 leader-signed blocks, each honest validator getting some of them in some rounds. */
  private equivocate(slot: number, leader: number): void {
    const { set, rng, world, honest, scripted, knowledge } = this.env;
    const values = Array.from({ length: rng.int(2, 4) }, (_, k) => this.newValue(slot, leader, k + 1));
    for (let round = 1; round <= set.f + 2; round++) {
      for (const j of honest) {
        if (!rng.chance(0.3)) continue;
        world.schedule(this.at(slot, round), () => {
          const v = rng.pick(values);
          const others = rng.shuffle(knowledge.availableSigners(v).filter((s) => s !== leader));
          const size = Math.max(0, Math.min(others.length, round - 1 + rng.int(-1, 1)));
          const relay = knowledge.relay(v, leader, [leader, ...others.slice(0, size)], rng.chance(0.9));
          this.send(rng.pick(scripted), j, { kind: "relay", ...relay }, world.now + this.delay());
        });
      }
    }
  }

  /**
   * The textbook attack: block A to everyone in round 1, block B with every coalition signature
   * to one honest validator at the end of round f (valid there), hoping it alone sees two values.
   */
  private splitLastRound(slot: number, leader: number): void {
    const { set, rng, world, honest, scripted, knowledge } = this.env;
    const a = this.newValue(slot, leader, 1);
    const b = this.newValue(slot, leader, 2);
    for (const j of honest) this.send(leader, j, proposal(a, leader), slotStart(set, slot));
    const target = rng.pick(honest);
    const round = Math.max(1, set.f + rng.int(0, 1));
    const at = slotStart(set, slot) + round * set.roundMs - 1 - rng.int(0, 1);
    world.schedule(at, () => {
      const relay = knowledge.relay(b, leader, [leader, ...scripted], true);
      this.send(rng.pick(scripted), target, { kind: "relay", ...relay }, world.now + rng.int(0, 1));
    });
  }

  /** Relays of this slot's values with partial signature sets, to some validators, some late. */
  private relayGames(slot: number, leader: number): void {
    const { set, rng, world, honest, scripted, knowledge } = this.env;
    for (let round = 1; round <= set.f + 2; round++) {
      for (const j of honest) {
        if (!rng.chance(0.25)) continue;
        world.schedule(this.at(slot, round), () => {
          const values = knowledge.valuesOf(slot).filter((v) => v.signatures.has(leader));
          if (values.length === 0) return;
          const v = rng.pick(values);
          const signers = rng.subset(knowledge.availableSigners(v), 0.6);
          const relay = knowledge.relay(v, leader, [leader, ...signers], rng.chance(0.8));
          this.send(rng.pick(scripted), j, { kind: "relay", ...relay }, world.now + this.delay(0.3));
        });
      }
    }
  }

  private forge(slot: number, member: number, count: number): void {
    const { set, rng, world, honest, knowledge } = this.env;
    for (let i = 0; i < count; i++) {
      const forgery = rng.pick(FORGERIES);
      world.schedule(this.at(slot, rng.int(1, set.f + 1)), () => {
        const bytes = forgery.make({ set, rng, knowledge, slot, member });
        if (bytes) this.env.deliver(member, rng.pick(honest), bytes, world.now + this.delay(0));
      });
    }
  }

  /** After the decision: withhold, commit the block most seen, commit a fake one, or both. */
  private commitGames(slot: number, member: number): void {
    const { set, rng, world, honest, knowledge } = this.env;
    const choice = rng.pick(["withhold", "commit-seen", "commit-fake", "commit-two"] as const);
    if (choice === "withhold") return;
    world.schedule(slotStart(set, slot) + (set.f + 1) * set.roundMs + rng.int(0, set.roundMs - 1), () => {
      const seen = knowledge.valuesOf(slot);
      const hashes: Uint8Array[] = [];
      if (choice !== "commit-fake" && seen.length > 0) hashes.push(rng.pick(seen).blockHash);
      if (choice !== "commit-seen") hashes.push(rng.bytes(32));
      for (const blockHash of hashes) {
        const signature = knowledge.sign(member, "commit", slot, blockHash);
        for (const j of rng.subset(honest, 0.7)) {
          this.send(
            member,
            j,
            { kind: "commit", slot, blockHash, signer: member, signature },
            world.now + this.delay(),
          );
        }
      }
    });
  }
}

function proposal(v: KnownValue, leader: number): DsMessage {
  return { kind: "proposal", slot: v.slot, leader, signature: v.signatures.get(leader)!, block: v.block! };
}
