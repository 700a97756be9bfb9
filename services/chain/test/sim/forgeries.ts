import { type DsRelay, encodeDsMessage, maskBytes } from "@p2pnode/codec";
import type { ConsensusRejectReason } from "@p2pnode/types";
import { leaderOf, type ValidatorSet } from "../../src/consensus/index.js";
import type { Knowledge, KnownValue } from "./knowledge.js";
import type { Rng } from "./rng.js";
import { simBlock, simBlockHash } from "./sim-block.js";

/*
 * Messages a faulty validator forges, each with the reason an honest validator must refuse it
 * for when it reaches the check (a message for a value the receiver already holds may be
 * dropped earlier, silently). The simulation sends them at random and counts the reasons seen;
 * every reason here must turn up over a full sweep.
 */

export interface ForgeContext {
  set: ValidatorSet;
  rng: Rng;
  knowledge: Knowledge;
  slot: number;
  /** The member that sends (and signs, where a member signature is needed). */
  member: number;
}

export interface Forgery {
  name: string;
  reason: ConsensusRejectReason;
  make(c: ForgeContext): Uint8Array | undefined;
}

const encodeRelay = (r: DsRelay) => encodeDsMessage({ kind: "relay", ...r });
// Byte offsets in an encoded relay: kind, version, slot u64, leader u16, hash, block length u32.
const LEADER_AT = 10;
const BLOCK_LENGTH_AT = 44;
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.length);

/** A value of this slot the coalition can relay with the leader's signature, if any. */
function leaderSignedValue(c: ForgeContext): KnownValue | undefined {
  const leader = leaderOf(c.set, c.slot);
  const values = c.knowledge.valuesOf(c.slot).filter((v) => v.block && v.signatures.has(leader));
  return values.length > 0 ? c.rng.pick(values) : undefined;
}

/** A relay of a leader-signed value with every signature the coalition has: valid until tampered. */
function fullRelay(c: ForgeContext): Uint8Array | undefined {
  const v = leaderSignedValue(c);
  if (!v) return undefined;
  return encodeRelay(c.knowledge.relay(v, leaderOf(c.set, c.slot), c.knowledge.availableSigners(v), true));
}

/** A fresh value nobody honest has seen, with a block that hashes right. */
function freshValue(c: ForgeContext): KnownValue {
  const block = simBlock(c.slot, c.member, 0xff00 + c.rng.int(0, 255), c.rng.u32());
  return c.knowledge.value(c.slot, simBlockHash(block), block);
}

export const FORGERIES: Forgery[] = [
  {
    name: "a signer bit set without its signature",
    reason: "MISSING_SIGNATURE",
    make: (c) => fullRelay(c)?.subarray(0, -64),
  },
  {
    name: "a signature without a signer bit",
    reason: "EXTRA_SIGNATURE",
    make: (c) => {
      const r = fullRelay(c);
      return r && Uint8Array.from([...r, ...c.rng.bytes(64)]);
    },
  },
  {
    name: "an oversize signer mask",
    reason: "MASK_SIZE",
    make: (c) => {
      const r = fullRelay(c);
      if (!r) return undefined;
      const blockLength = view(r).getUint32(BLOCK_LENGTH_AT);
      const maskAt = BLOCK_LENGTH_AT + 4 + blockLength;
      const out = Uint8Array.from([...r.subarray(0, maskAt + 2), 0, ...r.subarray(maskAt + 2)]);
      view(out).setUint16(maskAt, maskBytes(c.set.keys.length) + 1);
      return out;
    },
  },
  {
    name: "a bit for a validator that does not exist",
    reason: "UNKNOWN_SIGNER",
    make: (c) => {
      const r = fullRelay(c);
      if (!r) return undefined;
      view(r).setUint16(LEADER_AT, c.set.keys.length + c.rng.int(0, 9));
      return r;
    },
  },
  {
    name: "the leader's signature replayed from another slot",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const old = c.knowledge.valuesBesides(c.slot).filter((v) => v.signatures.size > 0);
      if (old.length === 0) return undefined;
      const v = c.rng.pick(old);
      const [, replayed] = c.rng.pick([...v.signatures.entries()]);
      const leader = leaderOf(c.set, c.slot);
      return encodeRelay(c.knowledge.rawRelay(freshValue(c), leader, [leader], [replayed], true));
    },
  },
  {
    name: "a signature replayed from another block of the same slot",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const v = leaderSignedValue(c);
      if (!v) return undefined;
      const leader = leaderOf(c.set, c.slot);
      const replayed = v.signatures.get(leader)!;
      return encodeRelay(c.knowledge.rawRelay(freshValue(c), leader, [leader], [replayed], true));
    },
  },
  {
    name: "a member signature made for another chain",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const v = leaderSignedValue(c);
      const leader = leaderOf(c.set, c.slot);
      if (!v || leader === c.member) return undefined;
      const signers = [leader, c.member].sort((a, b) => a - b);
      const relay = c.knowledge.relay(v, leader, signers, true);
      relay.signatures[signers.indexOf(c.member)] = c.knowledge.sign(
        c.member,
        "relay",
        c.slot,
        v.blockHash,
        "another-chain",
      );
      return encodeRelay(relay);
    },
  },
  {
    name: "a commit signature offered as a relay signature",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const v = freshValue(c);
      const leader = leaderOf(c.set, c.slot);
      if (!c.knowledge.members.includes(leader)) return undefined;
      // The (faulty) leader's commit signature where its relay signature belongs.
      const commitSig = c.knowledge.sign(leader, "commit", c.slot, v.blockHash);
      return encodeRelay(c.knowledge.rawRelay(v, leader, [leader], [commitSig], true));
    },
  },
  {
    name: "a relay without the leader's bit",
    reason: "NO_LEADER_SIGNATURE",
    make: (c) => {
      const leader = leaderOf(c.set, c.slot);
      if (c.member === leader) return undefined;
      return encodeRelay(c.knowledge.relay(freshValue(c), leader, [c.member], true));
    },
  },
  {
    name: "a proposal from a validator that does not lead the slot",
    reason: "WRONG_LEADER",
    make: (c) => {
      if (leaderOf(c.set, c.slot) === c.member) return undefined;
      const v = freshValue(c);
      const signature = c.knowledge.sign(c.member, "relay", c.slot, v.blockHash);
      return encodeDsMessage({
        kind: "proposal",
        slot: c.slot,
        leader: c.member,
        signature,
        block: v.block!,
      });
    },
  },
  {
    name: "an attached block that does not hash to the block hash",
    reason: "BAD_BLOCK",
    make: (c) => {
      const v = leaderSignedValue(c);
      if (!v) return undefined;
      const relay = c.knowledge.relay(v, leaderOf(c.set, c.slot), c.knowledge.availableSigners(v), true);
      relay.block = simBlock(c.slot, c.member, 0xfffe, c.rng.u32());
      return encodeRelay(relay);
    },
  },
  {
    name: "a commit vote signed by someone else",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const victim = c.rng.int(0, c.set.keys.length - 1);
      if (victim === c.member) return undefined;
      const blockHash = c.rng.bytes(32);
      const signature = c.knowledge.sign(c.member, "commit", c.slot, blockHash);
      return encodeDsMessage({ kind: "commit", slot: c.slot, blockHash, signer: victim, signature });
    },
  },
  {
    name: "a message for a slot far ahead",
    reason: "SLOT_OUT_OF_WINDOW",
    make: (c) => {
      const blockHash = c.rng.bytes(32);
      const slot = c.slot + 5 + c.rng.int(0, 100);
      const signature = c.knowledge.sign(c.member, "commit", slot, blockHash);
      return encodeDsMessage({ kind: "commit", slot, blockHash, signer: c.member, signature });
    },
  },
  {
    name: "bytes that are no consensus message",
    reason: "MALFORMED",
    make: (c) => c.rng.bytes(c.rng.int(0, 40)),
  },
  {
    name: "evidence forged against an honest leader",
    reason: "BAD_SIGNATURE",
    make: (c) => {
      const leader = leaderOf(c.set, c.slot);
      if (c.knowledge.members.includes(leader)) return undefined;
      const a = c.rng.bytes(32);
      const b = c.rng.bytes(32);
      const sig = (h: Uint8Array) => c.knowledge.sign(c.member, "relay", c.slot, h);
      return encodeDsMessage({
        kind: "evidence",
        slot: c.slot,
        leader,
        first: { blockHash: a, signature: sig(a) },
        second: { blockHash: b, signature: sig(b) },
      });
    },
  },
];

/** Reasons the sweep must have produced at least once (the catalogue's, deduplicated). */
export const FORGERY_REASONS = [...new Set(FORGERIES.map((f) => f.reason))];
