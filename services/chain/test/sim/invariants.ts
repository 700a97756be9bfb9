import { type DsEvidence, toHex } from "@p2pnode/codec";
import {
  type Decision,
  type Finality,
  type Rejected,
  type ValidatorSet,
  verifyCertificate,
  verifyEvidence,
} from "../../src/consensus/index.js";
import type { SimKeys } from "./keys.js";

/** What one simulated node reported. */
export interface NodeRecord {
  validator: number;
  honest: boolean;
  decisions: Map<number, Decision>;
  finalized: Finality[];
  evidence: DsEvidence[];
  rejections: Rejected[];
  /** Hash proposed per slot it led. */
  proposed: Map<number, string>;
}

export interface Outcome {
  set: ValidatorSet;
  keys: SimKeys;
  slots: number[];
  corrupt: number[];
  honest: number[];
  records: NodeRecord[];
  leaderOf(slot: number): number;
}

const show = (h: Uint8Array | null | undefined) => (h ? toHex(h).slice(0, 12) : String(h === null ? "⊥" : h));

/**
 * The properties every run must have, as a list of violations (empty = the run is correct):
 * agreement (every honest validator decides, all the same); validity (an honest leader's slot
 * decides its block); certificates only for the decided block, each verifying against the keys,
 * and one at every honest validator when f + 1 of them are honest; evidence only against faulty
 * leaders, and from every honest validator that saw two values; no honest sender ever refused.
 */
export function checkOutcome(o: Outcome): string[] {
  const out: string[] = [];
  const honest = o.records.filter((r) => r.honest);
  for (const slot of o.slots) {
    const decisions = honest.map((r) => r.decisions.get(slot));
    if (decisions.some((d) => d === undefined)) out.push(`slot ${slot}: an honest validator did not decide`);
    const values = new Set(decisions.map((d) => show(d?.blockHash)));
    if (values.size > 1) out.push(`slot ${slot}: disagreement ${[...values].join(" vs ")}`);
    const decided = decisions[0]?.blockHash ?? null;
    const leader = o.leaderOf(slot);
    if (!o.corrupt.includes(leader)) {
      const proposed = o.records.find((r) => r.honest && r.validator === leader)?.proposed.get(slot);
      if (decided === null || toHex(decided) !== proposed) {
        out.push(
          `slot ${slot}: honest leader ${leader} proposed ${proposed?.slice(0, 12)}, decided ${show(decided)}`,
        );
      }
    }
    for (const r of honest) out.push(...checkFinality(o, r, slot, decided));
    for (const r of honest) {
      if (r.decisions.get(slot)?.valuesSeen === 2 && !r.evidence.some((e) => e.slot === slot)) {
        out.push(`slot ${slot}: validator ${r.validator} saw two values and kept no evidence`);
      }
    }
  }
  for (const r of honest) {
    for (const e of r.evidence) {
      if (!o.corrupt.includes(e.leader)) out.push(`evidence against honest leader ${e.leader}`);
      try {
        verifyEvidence(o.set, e, o.keys.verify);
      } catch (err) {
        out.push(`validator ${r.validator} kept evidence that does not verify: ${(err as Error).message}`);
      }
    }
    for (const x of r.rejections) {
      const sender = Number(x.from?.slice(1));
      if (o.honest.includes(sender))
        out.push(`validator ${r.validator} refused honest ${x.from}: ${x.reason}`);
    }
  }
  return out;
}

function checkFinality(o: Outcome, r: NodeRecord, slot: number, decided: Uint8Array | null): string[] {
  const out: string[] = [];
  const finals = r.finalized.filter((x) => x.slot === slot);
  for (const x of finals) {
    if (decided === null || toHex(x.blockHash) !== toHex(decided)) {
      out.push(
        `slot ${slot}: validator ${r.validator} finalized ${show(x.blockHash)}, decided ${show(decided)}`,
      );
    }
    try {
      verifyCertificate(o.set, x.blockHash, x.certificate, o.keys.verify);
    } catch (err) {
      out.push(`slot ${slot}: certificate does not verify: ${(err as Error).message}`);
    }
  }
  if (decided !== null && o.honest.length >= o.set.f + 1 && finals.length !== 1) {
    out.push(`slot ${slot}: validator ${r.validator} has ${finals.length} certificates for a decided block`);
  }
  return out;
}
