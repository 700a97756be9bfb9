import { type DsMessage, type DsRelay, maskOf, maskSigners, toHex } from "@p2pnode/codec";
import { voteSigningBytes } from "@p2pnode/crypto";
import type { ValidatorSet } from "../../src/consensus/index.js";
import type { SimKeys } from "./keys.js";

/** A value as the adversary knows it: the block (if it has it) and every relay signature seen. */
export interface KnownValue {
  slot: number;
  blockHash: Uint8Array;
  block: Uint8Array | undefined;
  signatures: Map<number, Uint8Array>;
}

/**
 * What the coalition of faulty validators knows: everything honest validators broadcast (a
 * full-information, rushing adversary) and the keys of its own members. It can sign anything
 * as a member and replay anything it saw; it cannot sign as an honest validator.
 */
export class Knowledge {
  private readonly values = new Map<number, Map<string, KnownValue>>();
  /** Honest commit signatures seen, by slot: material for replays under the wrong tag or slot. */
  readonly commits: { slot: number; blockHash: Uint8Array; signer: number; signature: Uint8Array }[] = [];

  constructor(
    private readonly set: ValidatorSet,
    private readonly keys: SimKeys,
    readonly members: readonly number[],
    private readonly hashBlock: (block: Uint8Array) => Uint8Array,
  ) {}

  observe(m: DsMessage): void {
    if (m.kind === "proposal") {
      const v = this.value(m.slot, this.hashBlock(m.block), m.block);
      v.signatures.set(m.leader, m.signature);
    } else if (m.kind === "relay") {
      const v = this.value(m.slot, m.blockHash, m.block.length > 0 ? m.block : undefined);
      maskSigners(m.mask).forEach((s, i) => {
        v.signatures.set(s, m.signatures[i]!);
      });
    } else if (m.kind === "commit" && this.commits.length < 256) {
      this.commits.push(m);
    }
  }

  /** The value (creating it), filling in its block when one comes. */
  value(slot: number, blockHash: Uint8Array, block?: Uint8Array): KnownValue {
    let bySlot = this.values.get(slot);
    if (!bySlot) {
      bySlot = new Map();
      this.values.set(slot, bySlot);
    }
    const key = toHex(blockHash);
    let v = bySlot.get(key);
    if (!v) {
      v = { slot, blockHash, block, signatures: new Map() };
      bySlot.set(key, v);
    }
    if (!v.block && block) v.block = block;
    return v;
  }

  valuesOf(slot: number): KnownValue[] {
    return [...(this.values.get(slot)?.values() ?? [])];
  }

  /** Every slot's values except `slot`'s: replay material. */
  valuesBesides(slot: number): KnownValue[] {
    return [...this.values.entries()].filter(([s]) => s !== slot).flatMap(([, m]) => [...m.values()]);
  }

  /** A member's relay signature on a value (the coalition can always make these). */
  sign(
    member: number,
    kind: "relay" | "commit",
    slot: number,
    blockHash: Uint8Array,
    chainId = this.set.chainId,
  ) {
    return this.keys.sign(member, voteSigningBytes(kind, chainId, slot, blockHash));
  }

  /** Signers whose relay signature on `v` the coalition can put in a message. */
  availableSigners(v: KnownValue): number[] {
    const out = new Set<number>([...v.signatures.keys(), ...this.members]);
    return [...out].sort((a, b) => a - b);
  }

  /** A relay of `v` signed by `signers` (members sign now; others from what was seen). */
  relay(v: KnownValue, leader: number, signers: readonly number[], withBlock: boolean): DsRelay {
    const sorted = [...new Set(signers)].sort((a, b) => a - b);
    const signatures = sorted.map((s) => {
      const seen = v.signatures.get(s);
      if (seen) return seen;
      if (!this.members.includes(s)) throw new TypeError(`the coalition cannot sign as validator ${s}`);
      const made = this.sign(s, "relay", v.slot, v.blockHash);
      v.signatures.set(s, made);
      return made;
    });
    return this.rawRelay(v, leader, sorted, signatures, withBlock);
  }

  /** A relay with exactly these signatures (forgeries put the wrong ones in). */
  rawRelay(
    v: KnownValue,
    leader: number,
    signers: readonly number[],
    signatures: Uint8Array[],
    withBlock: boolean,
  ): DsRelay {
    return {
      slot: v.slot,
      leader,
      blockHash: v.blockHash,
      mask: maskOf(signers, this.set.keys.length),
      signatures,
      block: withBlock && v.block ? v.block : new Uint8Array(),
    };
  }
}
