import { fromHex } from "@p2pnode/codec";
import { publicKeyReject } from "@p2pnode/crypto";
import { consensusParams, type Genesis } from "@p2pnode/types";
import { ChainFault } from "../errors.js";

/**
 * What every node of a Dolev-Strong network knows from the genesis alone: the validator keys in
 * index order, the fault bound, and the clock of slots and rounds. Full and light nodes need
 * nothing else to check a certificate.
 */
export interface ValidatorSet {
  chainId: string;
  /** Ed25519 public keys; a validator's index is its place here and its bit in every mask. */
  keys: readonly Uint8Array[];
  /** Faulty validators tolerated; f + 1 rounds, f + 1 commit signatures make a certificate. */
  f: number;
  /** Δ, the round length in ms. */
  roundMs: number;
  slotMs: number;
  /** Start of slot 0 (the genesis timestamp); slot s starts at genesisTime + s·slotMs. */
  genesisTime: number;
}

/** The validator set of a dolev-strong genesis; a one-line CONFIG_INVALID for anything unusable. */
export function validatorSetFromGenesis(g: Genesis, what = "genesis"): ValidatorSet {
  const p = consensusParams(g);
  if (p.kind !== "dolev-strong") {
    throw new ChainFault("CONFIG_INVALID", `${what}: consensus.kind is ${p.kind}, not dolev-strong`);
  }
  const keys = p.validators.map((hex, i) => {
    const key = fromHex(hex, `validators.${i}.publicKey`, 32);
    const problem = publicKeyReject(key);
    if (problem) throw new ChainFault("CONFIG_INVALID", `${what}: validators.${i}.publicKey: ${problem}`);
    return key;
  });
  return { chainId: g.chainId, keys, f: p.f, roundMs: p.roundMs, slotMs: p.slotMs, genesisTime: g.timestamp };
}

/** Round-robin: slot s is led by validator s mod n. */
export function leaderOf(set: ValidatorSet, slot: number): number {
  return slot % set.keys.length;
}

/** Commit signatures a certificate needs: f + 1, so at least one comes from an honest validator. */
export function certificateQuorum(set: ValidatorSet): number {
  return set.f + 1;
}

export function slotStart(set: ValidatorSet, slot: number): number {
  return set.genesisTime + slot * set.slotMs;
}

/** The slot running at time `t` (the genesis block is slot 0). */
export function slotAt(set: ValidatorSet, t: number): number {
  return Math.max(0, Math.floor((t - set.genesisTime) / set.slotMs));
}

/** When a slot decides: the end of round f + 1. */
export function decisionTime(set: ValidatorSet, slot: number): number {
  return slotStart(set, slot) + (set.f + 1) * set.roundMs;
}

/**
 * The round a message arriving at `t` belongs to: round r spans [start + (r−1)Δ, start + rΔ).
 * A message that arrives before its slot starts (clock skew) counts as round 1.
 */
export function roundAt(set: ValidatorSet, slot: number, t: number): number {
  return Math.max(1, Math.floor((t - slotStart(set, slot)) / set.roundMs) + 1);
}
