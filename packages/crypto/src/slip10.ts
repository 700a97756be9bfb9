import { createHmac } from "node:crypto";
import { assertBytes, CryptoError } from "./errors.js";

/** A SLIP-0010 ed25519 node: the 32-byte private key (an Ed25519 seed) and its chain code. */
export interface Slip10Node {
  key: Uint8Array;
  chainCode: Uint8Array;
}

export const HARDENED = 0x8000_0000;
const MASTER_SECRET = Buffer.from("ed25519 seed", "ascii");

function hmacSha512(key: Uint8Array, data: Uint8Array): { key: Uint8Array; chainCode: Uint8Array } {
  const i = createHmac("sha512", key).update(data).digest();
  return { key: new Uint8Array(i.subarray(0, 32)), chainCode: new Uint8Array(i.subarray(32)) };
}

/** SLIP-0010 master node of a BIP-39 seed (16–64 bytes) on the ed25519 curve. */
export function slip10Master(seed: Uint8Array): Slip10Node {
  assertBytes(seed, "SLIP-0010 seed");
  if (seed.length < 16 || seed.length > 64) {
    throw new CryptoError("BAD_KEY", `SLIP-0010 seed: expected 16 to 64 bytes, got ${seed.length}`);
  }
  return hmacSha512(MASTER_SECRET, seed);
}

/** Hardened child `index` (with or without the HARDENED bit). ed25519 has no other kind. */
export function slip10Child(parent: Slip10Node, index: number): Slip10Node {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new CryptoError("BAD_PATH", `SLIP-0010 index: expected a 32-bit unsigned integer, got ${index}`);
  }
  const data = new Uint8Array(37); // 0x00 ‖ key ‖ ser32(index | HARDENED)
  data.set(parent.key, 1);
  new DataView(data.buffer).setUint32(33, (index | HARDENED) >>> 0);
  return hmacSha512(parent.chainCode, data);
}

/**
 * Parses `m/44'/7337'/0'/0'/0'` into hardened indices. Every level must be hardened (' or h):
 * SLIP-0010 defines no public derivation for ed25519, so a silent upgrade would surprise users.
 */
export function parsePath(path: string): number[] {
  if (typeof path !== "string" || !/^m(\/[0-9]+['h])*$/.test(path)) {
    throw new CryptoError(
      "BAD_PATH",
      `derivation path: expected m/<n>'/<n>'/..., all hardened, got ${String(path)}`,
    );
  }
  return path
    .split("/")
    .slice(1)
    .map((level) => {
      const n = Number(level.slice(0, -1));
      if (n >= HARDENED) throw new CryptoError("BAD_PATH", `derivation path: index ${n} is not below 2^31`);
      return n;
    });
}

export function slip10Derive(seed: Uint8Array, path: string): Slip10Node {
  return parsePath(path).reduce(slip10Child, slip10Master(seed));
}
