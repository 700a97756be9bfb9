import { hash } from "node:crypto";

/** Where the nonce sits in an encoded header (codec's layout v1: u64 big-endian at byte 168). */
export interface PowJob {
  header: Uint8Array;
  target: Uint8Array;
  nonceOffset: number;
  /** High 32 bits of the nonce: partitions the search space between workers and templates. */
  nonceHigh: number;
  /** First low-32-bit nonce to try. */
  nonceLow: number;
  count: number;
}

/** Is `hash` ≤ `target`, both 32-byte big-endian? */
export function hashMeetsTarget(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const a = hash[i]!;
    const b = target[i]!;
    if (a !== b) return a < b;
  }
  return true;
}

/**
 * Tries `count` nonces in place and returns the winning low 32 bits, or -1. Node's one-shot
 * `crypto.hash` is the fastest SHA-256 it offers per call (measured ~2× a createHash() chain and
 * faster than copying a precomputed midstate, whose Hash object costs more than the two blocks saved).
 */
export function searchNonces(job: PowJob): number {
  const { header, target, nonceOffset } = job;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  view.setUint32(nonceOffset, job.nonceHigh >>> 0);
  const target0 = readU32(target);
  for (let i = 0; i < job.count; i++) {
    const low = (job.nonceLow + i) >>> 0;
    view.setUint32(nonceOffset + 4, low);
    const h = hash("sha256", header, "buffer") as Buffer;
    const h0 = h.readUInt32BE(0);
    // Cheap reject on the first word; the full compare runs only on near-misses.
    if (h0 > target0) continue;
    if (hashMeetsTarget(h, target)) return low;
  }
  return -1;
}

function readU32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}
