import { toHex } from "@p2pnode/codec";
import { assertBytes } from "./errors.js";
import { sha256 } from "./hash.js";

export const ADDRESS_BYTES = 20;

/** Address = first 20 bytes of SHA-256(public key) (DESIGN.md §4). */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, "public key", 32);
  return sha256(publicKey).slice(0, ADDRESS_BYTES);
}

/** The address as 40 lowercase hex characters, the form REST and the genesis file use. */
export function addressHexOf(publicKey: Uint8Array): string {
  return toHex(addressOf(publicKey));
}
