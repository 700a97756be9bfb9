import { type DsMessage, decodeDsMessage, toHex } from "@p2pnode/codec";
import type { ConsensusRejectReason } from "@p2pnode/types";
import {
  type Decision,
  DolevStrong,
  defaultDolevStrongOptions,
  type Finality,
  leaderOf,
  slotStart,
  type ValidatorSet,
} from "../../src/consensus/index.js";
import { Adversary } from "./adversary.js";
import { checkOutcome, type NodeRecord } from "./invariants.js";
import { type SignatureScheme, simKeys } from "./keys.js";
import { Knowledge } from "./knowledge.js";
import { Rng } from "./rng.js";
import { honestBlocks, simBlockHash } from "./sim-block.js";
import { SimWorld } from "./world.js";

export interface ScenarioOptions {
  seed: number;
  scheme?: SignatureScheme;
  /** Validator count; random in 4..16 when absent. */
  n?: number;
  slots?: number;
  /**
   * A deliberately broken network: honest validators run f rounds instead of f + 1 (they are
   * configured with f − 1) while f validators are faulty. The tests use it to show the
   * simulation finds the disagreement this allows.
   */
  honestRoundsShort?: boolean;
}

export interface ScenarioResult {
  seed: number;
  n: number;
  f: number;
  corrupt: number[];
  twins: number[];
  slots: number[];
  /** Invariant violations; empty when the run is correct. */
  violations: string[];
  /** Digest of every delivery: the same seed must give the same trace. */
  trace: number;
  reasons: Map<ConsensusRejectReason, number>;
  bottoms: number;
  evidence: number;
  plans: string[];
  messages: number;
}

const DELTA = 100;
const GENESIS = 1_700_000_000_000;

/** f from the whole range, weighted to the edges where bugs live (0, n−1, ⌊(n−1)/3⌋, ⌊(n−1)/2⌋). */
function pickF(rng: Rng, n: number): number {
  return rng.pick([0, Math.floor((n - 1) / 3), Math.floor((n - 1) / 2), n - 1, rng.int(0, n - 1)]);
}

/** One seeded run: n validators, up to f faulty, a few consecutive slots; returns what held. */
export function runScenario(opts: ScenarioOptions): ScenarioResult {
  const rng = new Rng(opts.seed);
  const n = opts.n ?? rng.int(4, 16);
  const f = pickF(rng, n);
  const corrupt = rng.shuffle([...Array(n).keys()]).slice(0, rng.chance(0.6) ? f : rng.int(0, f));
  const twins = corrupt.filter(() => rng.chance(0.2));
  const scripted = corrupt.filter((c) => !twins.includes(c));
  const honest = [...Array(n).keys()].filter((i) => !corrupt.includes(i));
  const keys = simKeys(n, opts.scheme ?? "ideal", rng);
  const set: ValidatorSet = {
    chainId: "sim-net",
    keys: keys.publicKeys,
    f,
    roundMs: DELTA,
    slotMs: (f + 2 + rng.int(0, 2)) * DELTA,
    genesisTime: GENESIS,
  };
  // What honest validators are configured with (the same set, unless deliberately broken).
  const honestSet: ValidatorSet = opts.honestRoundsShort && f > 0 ? { ...set, f: f - 1 } : set;
  const first = rng.int(1, n);
  const slots = Array.from({ length: opts.slots ?? 2 }, (_, i) => first + i);
  const world = new SimWorld(slotStart(set, first));
  const knowledge = new Knowledge(set, keys, corrupt, simBlockHash);

  const records: NodeRecord[] = [];
  const nodes: { ds: DolevStrong; record: NodeRecord; targets: number[] }[] = [];
  const honestDelay = () => rng.int(0, DELTA - 1);
  // Every recipient of one broadcast gets the same bytes: decode them once (a message that does
  // not decode goes through `receive`, which must refuse it).
  const decoded = new Map<Uint8Array, DsMessage | null>(); // dies with the run
  const decodeOnce = (bytes: Uint8Array) => {
    let m = decoded.get(bytes);
    if (m === undefined) {
      try {
        m = decodeDsMessage(bytes, n);
      } catch {
        m = null;
      }
      decoded.set(bytes, m);
    }
    return m;
  };
  const deliverTo = (to: number, bytes: Uint8Array, from: number, at: number) =>
    world.schedule(at, () => {
      world.record(from, to, bytes);
      const m = decodeOnce(bytes);
      const ds = nodes[to]!.ds;
      if (m) ds.receiveDecoded(m, `v${from}`);
      else ds.receive(bytes, `v${from}`);
    });

  const addNode = (validator: number, salt: number, isHonest: boolean) => {
    const id = nodes.length;
    const record: NodeRecord = {
      validator,
      honest: isHonest,
      decisions: new Map(),
      finalized: [],
      evidence: [],
      rejections: [],
      proposed: new Map(),
    };
    const node = { ds: undefined as unknown as DolevStrong, record, targets: [] as number[] };
    nodes.push(node);
    records.push(record);
    node.ds = new DolevStrong(
      { ...defaultDolevStrongOptions, set: honestSet },
      {
        clock: world.clock,
        signer: { index: validator, sign: (m) => keys.sign(validator, m) },
        blocks: honestBlocks(validator, salt),
        verify: keys.verify,
        network: {
          broadcast: (bytes) => {
            if (corrupt.length > 0) knowledge.observe(decodeOnce(bytes)!);
            for (const to of node.targets) deliverTo(to, bytes, validator, world.now + honestDelay());
          },
        },
        events: {
          proposed: (p) => record.proposed.set(p.slot, toHex(p.blockHash)),
          decided: (d: Decision) => record.decisions.set(d.slot, d),
          finalized: (e: Finality) => record.finalized.push(e),
          evidence: (e) => record.evidence.push(e),
          rejected: (r) => record.rejections.push(r),
        },
      },
    );
    return id;
  };

  const honestIds = honest.map((v) => addNode(v, 0, true));
  const twinIds = twins.flatMap((v) => [addNode(v, 1, false), addNode(v, 2, false)]);
  for (const id of honestIds) nodes[id]!.targets = [...honestIds, ...twinIds].filter((t) => t !== id);
  for (let k = 0; k < twinIds.length; k += 2) {
    // Each copy of a twin speaks to its own part of the honest validators and hears everyone.
    const part = new Set(rng.subset(honestIds));
    nodes[twinIds[k]!]!.targets = honestIds.filter((id) => part.has(id));
    nodes[twinIds[k + 1]!]!.targets = honestIds.filter((id) => !part.has(id));
  }

  const adversary = new Adversary({
    set,
    rng,
    world,
    knowledge,
    honest: honestIds,
    scripted,
    deliver: (from, to, bytes, at) => deliverTo(to, bytes, from, at),
  });
  const end = slotStart(set, slots[slots.length - 1]! + 1) - 1;
  for (const slot of slots) world.schedule(slotStart(set, slot), () => adversary.startSlot(slot));
  for (const node of nodes) {
    const tick = () => {
      node.ds.tick();
      if (node.ds.nextWakeAt() <= end) world.schedule(node.ds.nextWakeAt(), tick);
    };
    world.schedule(node.ds.nextWakeAt(), tick);
  }
  world.runUntil(end);

  const violations = checkOutcome({
    set: honestSet,
    keys,
    slots,
    corrupt,
    honest,
    records,
    leaderOf: (s) => leaderOf(set, s),
  });
  const reasons = new Map<ConsensusRejectReason, number>();
  for (const r of records.filter((x) => x.honest).flatMap((x) => x.rejections)) {
    reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  }
  const firstHonest = records.find((r) => r.honest);
  return {
    seed: opts.seed,
    n,
    f,
    corrupt,
    twins,
    slots,
    violations,
    trace: world.trace,
    reasons,
    bottoms: slots.filter((s) => firstHonest?.decisions.get(s)?.blockHash === null).length,
    evidence: records.reduce((k, r) => k + (r.honest ? r.evidence.length : 0), 0),
    plans: [...adversary.plans.values()],
    messages: world.delivered,
  };
}
