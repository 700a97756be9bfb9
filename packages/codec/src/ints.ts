import { CodecError } from "./errors.js";

export const U64_MAX = 2n ** 64n - 1n;

export function assertSafeUint(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new CodecError(
      "ENCODE_INVALID",
      `${what}: expected a non-negative safe integer, got ${String(value)}`,
    );
  }
}

export function assertU64(value: unknown, what: string): asserts value is bigint {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw new CodecError("ENCODE_INVALID", `${what}: expected a bigint in [0, 2^64), got ${String(value)}`);
  }
}
