/*
 * Targets and work. A target is a 32-byte big-endian number; a block's work is the expected
 * number of hashes to find it, 2^256 / (target + 1), so the sum over a chain compares chains of
 * different difficulties (Bitcoin's chainwork). Work outgrows 2^53, hence bigint everywhere.
 */

export const MAX_TARGET = (1n << 256n) - 1n;

export function targetToBigInt(target: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(target).toString("hex") || "0"}`);
}

export function bigIntToTarget(value: bigint): Uint8Array {
  const clamped = value < 1n ? 1n : value > MAX_TARGET ? MAX_TARGET : value;
  return Uint8Array.from(Buffer.from(clamped.toString(16).padStart(64, "0"), "hex"));
}

export function workOf(target: Uint8Array): bigint {
  return (1n << 256n) / (targetToBigInt(target) + 1n);
}
