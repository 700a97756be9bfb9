import {
  type DsEvidence,
  type DsMessage,
  type DsRelay,
  decodeDsMessage,
  encodeDsMessage,
  maskOf,
} from "@p2pnode/codec";
import { type SigningKey, signingKeyFromSeed, signRaw, signVote } from "@p2pnode/crypto";
import {
  type Decision,
  DolevStrong,
  defaultDolevStrongOptions,
  type Finality,
  type Rejected,
  slotStart,
  type ValidatorSet,
} from "../../src/consensus/index.js";
import { simBlock, simBlockHash } from "../sim/sim-block.js";

/*
 * One validator under test with real Ed25519 keys, a hand-driven clock, and everything it
 * broadcasts and reports captured, so each rule can be checked message by message.
 */

export const CHAIN = "test-net";
export const DELTA = 100;

export function validatorKeys(n: number): SigningKey[] {
  return Array.from({ length: n }, (_, i) => signingKeyFromSeed(new Uint8Array(32).fill(i + 1)));
}

export function validatorSet(keys: SigningKey[], f: number): ValidatorSet {
  return {
    chainId: CHAIN,
    keys: keys.map((k) => k.publicKey),
    f,
    roundMs: DELTA,
    slotMs: (f + 2) * DELTA,
    genesisTime: 1_000_000,
  };
}

export interface Value {
  block: Uint8Array;
  hash: Uint8Array;
}

export interface Harness {
  set: ValidatorSet;
  keys: SigningKey[];
  ds: DolevStrong;
  sent: DsMessage[];
  decisions: Decision[];
  finalized: Finality[];
  evidence: DsEvidence[];
  rejected: Rejected[];
  /** Moves the clock to `t` and ticks. */
  at(t: number): void;
  start(slot: number): number;
  /** A block proposed by `proposer` in `slot`; `variant` tells two of one proposer apart. */
  value(slot: number, proposer: number, variant?: number): Value;
  /** A relay of `value` signed (for real) by `signers`. */
  relay(slot: number, value: Value, signers: number[], withBlock?: boolean): DsRelay;
  send(m: DsMessage, from?: string): Rejected | undefined;
}

/** Validator `self` of n with fault bound f, its clock at `startAt` (default: slot 1's start). */
export function harness(n: number, f: number, self: number, startAt?: number): Harness {
  const keys = validatorKeys(n);
  const set = validatorSet(keys, f);
  let now = startAt ?? slotStart(set, 1);
  const clock = { now: () => now };
  const sent: DsMessage[] = [];
  const decisions: Decision[] = [];
  const finalized: Finality[] = [];
  const evidence: DsEvidence[] = [];
  const rejected: Rejected[] = [];
  const ds = new DolevStrong(
    { ...defaultDolevStrongOptions, set },
    {
      clock,
      signer: { index: self, sign: (m) => signRaw(keys[self]!, m) },
      blocks: { build: (slot) => simBlock(slot, self, 0, 0), hash: simBlockHash },
      network: { broadcast: (bytes) => sent.push(decodeDsMessage(bytes, n)) },
      events: {
        decided: (d) => decisions.push(d),
        finalized: (x) => finalized.push(x),
        evidence: (e) => evidence.push(e),
        rejected: (r) => rejected.push(r),
      },
    },
  );
  return {
    set,
    keys,
    ds,
    sent,
    decisions,
    finalized,
    evidence,
    rejected,
    at(t) {
      now = t;
      ds.tick();
    },
    start: (slot) => slotStart(set, slot),
    value(slot, proposer, variant = 0) {
      const block = simBlock(slot, proposer, variant, 0);
      return { block, hash: simBlockHash(block) };
    },
    relay(slot, value, signers, withBlock = true) {
      const sorted = [...signers].sort((a, b) => a - b);
      return {
        slot,
        leader: slot % n,
        blockHash: value.hash,
        mask: maskOf(sorted, n),
        signatures: sorted.map((s) => signVote(keys[s]!, "relay", CHAIN, slot, value.hash)),
        block: withBlock ? value.block : new Uint8Array(),
      };
    },
    send: (m, from = "peer") => ds.receive(encodeDsMessage(m), from),
  };
}
