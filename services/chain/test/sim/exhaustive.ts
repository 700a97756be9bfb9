import { type DsMessage, decodeDsMessage, encodeDsMessage, toHex } from "@p2pnode/codec";
import {
  DolevStrong,
  defaultDolevStrongOptions,
  leaderOf,
  slotStart,
  type ValidatorSet,
} from "../../src/consensus/index.js";
import { simKeys } from "./keys.js";
import { Knowledge, type KnownValue } from "./knowledge.js";
import { Rng } from "./rng.js";
import { honestBlocks, simBlock, simBlockHash } from "./sim-block.js";
import { SimWorld } from "./world.js";

/*
 * One slot with a scripted coalition, for exhaustive enumeration on small networks. In each
 * round r = 1 … f + 1 the coalition sends each honest validator one of: nothing, value A,
 * value B, or both (if it holds the leader's key; otherwise nothing or the leader's value),
 * each time with every signature it holds on that value: its members' and the honest ones it
 * has seen. Fewer signatures never help it (a message is valid or not by count), and sending at
 * the start of a round loses nothing, since honest validators act on arrival.
 */

export const CHOICES_WITH_LEADER = 4; // none, A, B, A and B
export const CHOICES_WITHOUT_LEADER = 2; // none, the leader's value

export interface ScriptedSlot {
  n: number;
  f: number;
  corrupt: readonly number[];
  /** choices[(round − 1) · honest.length + k]: what honest validator k gets in that round. */
  choices: readonly number[];
  /** Deliberately broken: honest validators run this many rounds instead of f + 1. */
  honestRounds?: number;
}

/** The decision of each honest validator (hex or "⊥"), and the honest leader's block if any. */
export function runScriptedSlot(s: ScriptedSlot): {
  decisions: string[];
  honestLeaderBlock: string | undefined;
} {
  const rng = new Rng(1);
  const keys = simKeys(s.n, "ideal", rng);
  const delta = 100;
  const set: ValidatorSet = {
    chainId: "sim-net",
    keys: keys.publicKeys,
    f: s.f,
    roundMs: delta,
    slotMs: (s.f + 2) * delta,
    genesisTime: 0,
  };
  const honestSet = { ...set, f: (s.honestRounds ?? s.f + 1) - 1 };
  const slot = 1;
  const start = slotStart(set, slot);
  const leader = leaderOf(set, slot);
  const honest = [...Array(s.n).keys()].filter((i) => !s.corrupt.includes(i));
  const world = new SimWorld(start);
  const knowledge = new Knowledge(set, keys, s.corrupt, simBlockHash);
  const decisions = new Map<number, string>();
  let honestLeaderBlock: string | undefined;
  const nodes = new Map<number, DolevStrong>();
  const deliver = (to: number, bytes: Uint8Array, from: number, at: number) =>
    world.schedule(at, () => nodes.get(to)!.receive(bytes, `v${from}`));
  for (const v of honest) {
    const ds = new DolevStrong(
      { ...defaultDolevStrongOptions, set: honestSet },
      {
        clock: world.clock,
        signer: { index: v, sign: (m) => keys.sign(v, m) },
        blocks: honestBlocks(v, 0),
        verify: keys.verify,
        network: {
          broadcast: (bytes) => {
            knowledge.observe(decodeDsMessage(bytes, s.n));
            for (const to of honest) if (to !== v) deliver(to, bytes, v, world.now + delta / 2);
          },
        },
        events: {
          decided: (d) => decisions.set(v, d.blockHash ? toHex(d.blockHash) : "⊥"),
          proposed: (p) => {
            honestLeaderBlock = toHex(p.blockHash);
          },
        },
      },
    );
    nodes.set(v, ds);
    const tick = () => {
      ds.tick();
      if (ds.nextWakeAt() < start + set.slotMs) world.schedule(ds.nextWakeAt(), tick);
    };
    world.schedule(ds.nextWakeAt(), tick);
  }

  const leaderCorrupt = s.corrupt.includes(leader);
  const leaderValue = (variant: number): KnownValue => {
    const block = simBlock(slot, leader, variant, 7);
    const v = knowledge.value(slot, simBlockHash(block), block);
    knowledge.relay(v, leader, [leader], true);
    return v;
  };
  const ours = leaderCorrupt ? [leaderValue(1), leaderValue(2)] : [];
  const sender = s.corrupt[0] ?? leader;
  for (let round = 1; round <= s.f + 1; round++) {
    world.schedule(start + (round - 1) * delta + 1, () => {
      honest.forEach((to, k) => {
        const choice = s.choices[(round - 1) * honest.length + k]!;
        for (const v of valuesFor(choice, ours, () => knowledge.valuesOf(slot))) {
          const relay = knowledge.relay(v, leader, knowledge.availableSigners(v), true);
          const m: DsMessage = { kind: "relay", ...relay };
          deliver(to, encodeDsMessage(m), sender, world.now + 1);
        }
      });
    });
  }
  world.runUntil(start + set.slotMs - 1);
  return { decisions: honest.map((v) => decisions.get(v) ?? "undecided"), honestLeaderBlock };
}

/** The values a choice sends: with the leader's key 0 none, 1 A, 2 B, 3 both; without it 0 none, 1 the leader's. */
function valuesFor(choice: number, ours: KnownValue[], seen: () => KnownValue[]): KnownValue[] {
  if (ours.length === 0)
    return choice === 1
      ? seen()
          .filter((v) => v.block)
          .slice(0, 1)
      : [];
  return [[], [ours[0]!], [ours[1]!], ours][choice]!;
}

/** Every choice vector of `length` digits in base `base`. */
export function* allChoices(base: number, length: number): Generator<number[]> {
  const digits = new Array<number>(length).fill(0);
  for (;;) {
    yield digits;
    let i = 0;
    while (i < length && digits[i] === base - 1) digits[i++] = 0;
    if (i === length) return;
    digits[i]!++;
  }
}

/** Every subset of {0 … n−1} with exactly k members. */
export function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  const without = subsets(n - 1, k);
  const withLast = subsets(n - 1, k - 1).map((s) => [...s, n - 1]);
  return [...without, ...withLast];
}
