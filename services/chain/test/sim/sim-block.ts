import type { BlockSource } from "../../src/consensus/index.js";
import { fastHash } from "./fast-hash.js";

/*
 * The blocks of the simulation: 16 bytes, "SIMB" ‖ slot u32 ‖ proposer u16 ‖ variant u16 ‖ salt
 * u32, hashed with fastHash. The consensus code treats blocks as opaque bytes behind BlockSource,
 * so the rules under test are the same as with chain blocks; anything else "is not a block".
 */

const MAGIC = [0x53, 0x49, 0x4d, 0x42];
export const SIM_BLOCK_BYTES = 16;

export function simBlock(slot: number, proposer: number, variant: number, salt: number): Uint8Array {
  const out = new Uint8Array(SIM_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC);
  view.setUint32(4, slot);
  view.setUint16(8, proposer);
  view.setUint16(10, variant);
  view.setUint32(12, salt >>> 0);
  return out;
}

export function simBlockHash(block: Uint8Array): Uint8Array {
  if (block.length !== SIM_BLOCK_BYTES || MAGIC.some((b, i) => block[i] !== b)) {
    throw new TypeError("not a simulation block");
  }
  return fastHash(block);
}

/** An honest validator's block source: one block per slot it leads, variant 0. */
export function honestBlocks(proposer: number, salt: number): BlockSource {
  return {
    build: (slot) => simBlock(slot, proposer, 0, salt),
    hash: simBlockHash,
  };
}
