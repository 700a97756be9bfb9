import { x25519 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import {
  checkWords,
  type Digest,
  KEY_WORDS,
  P,
  type RandomSource,
  randomFieldElements,
  spendPk,
  systemRandom,
} from "@p2pnode/stark";
import {
  concat,
  DIGEST_BYTES,
  digestFromBytes,
  digestToBytes,
  fromHexStrict,
  hex,
  wordsToBytes,
} from "./bytes.js";
import { ShieldedError } from "./errors.js";

/**
 * Keys of a shielded wallet.
 * - Spending key sk: 4 field elements (~124 bits). Whoever holds it can spend the notes; it
 *   also derives the nullifiers, so only its holder can tell when a note is spent.
 * - Owner key pk = S_pk(sk) (8 field elements), what note commitments bind the note to.
 * - Viewing key: an X25519 secret derived from sk, plus pk. It finds and decrypts incoming
 *   notes (scan.ts) but cannot spend them.
 * - Shielded address: pk and the X25519 public key, written "zs" + hex(pk ‖ key ‖ checksum).
 */
export type SpendingKey = readonly number[];

export interface ViewingKey {
  secret: Uint8Array;
  pk: Digest;
}

export interface ShieldedAddress {
  pk: Digest;
  encryptionKey: Uint8Array;
}

const enc = new TextEncoder();
const IVK_DOMAIN = enc.encode("p2pnode/shielded/ivk/v1");
const SEED_DOMAIN = enc.encode("p2pnode/shielded/sk/v1");
const ADDRESS_DOMAIN = enc.encode("p2pnode/shielded/address/v1");
export const ADDRESS_PREFIX = "zs";
const CHECKSUM_BYTES = 4;
const ADDRESS_BYTES = DIGEST_BYTES + 32 + CHECKSUM_BYTES;

export function randomSpendingKey(random: RandomSource = systemRandom): SpendingKey {
  return Array.from(randomFieldElements(KEY_WORDS, random));
}

/** A spending key derived from a wallet seed (e.g. the BIP-39 seed): 64-bit chunks of SHA-512, mod p. */
export function spendingKeyFromSeed(seed: Uint8Array): SpendingKey {
  if (!(seed instanceof Uint8Array) || seed.length < 16)
    throw new ShieldedError("BAD_KEY", "seed must be at least 16 bytes");
  const h = sha512(concat(SEED_DOMAIN, seed));
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return Array.from({ length: KEY_WORDS }, (_, i) => Number(dv.getBigUint64(8 * i, false) % BigInt(P)));
}

export function checkSpendingKey(sk: SpendingKey): void {
  try {
    checkWords(sk, KEY_WORDS, "spending key");
  } catch {
    throw new ShieldedError("BAD_KEY", `a spending key is ${KEY_WORDS} field elements`);
  }
}

export function viewingKeyOf(sk: SpendingKey): ViewingKey {
  checkSpendingKey(sk);
  return { secret: sha256(concat(IVK_DOMAIN, wordsToBytes(sk))), pk: spendPk(sk) };
}

export function addressOf(key: SpendingKey | ViewingKey): ShieldedAddress {
  const vk = "secret" in key ? key : viewingKeyOf(key);
  return { pk: vk.pk, encryptionKey: x25519.getPublicKey(vk.secret) };
}

export function encodeAddress(a: ShieldedAddress): string {
  const body = concat(digestToBytes(a.pk), a.encryptionKey);
  if (a.encryptionKey.length !== 32)
    throw new ShieldedError("BAD_ADDRESS", "encryption key must be 32 bytes");
  return ADDRESS_PREFIX + hex(concat(body, checksum(body)));
}

/** Parses an address string; a typo (checksum), a wrong length or a non-field word is BAD_ADDRESS. */
export function decodeAddress(s: string): ShieldedAddress {
  if (typeof s !== "string" || !s.startsWith(ADDRESS_PREFIX))
    throw new ShieldedError("BAD_ADDRESS", `a shielded address starts with "${ADDRESS_PREFIX}"`);
  let bytes: Uint8Array;
  try {
    bytes = fromHexStrict(s.slice(ADDRESS_PREFIX.length), ADDRESS_BYTES, "address");
  } catch {
    throw new ShieldedError(
      "BAD_ADDRESS",
      `a shielded address is "${ADDRESS_PREFIX}" and ${2 * ADDRESS_BYTES} hex digits`,
    );
  }
  const body = bytes.subarray(0, ADDRESS_BYTES - CHECKSUM_BYTES);
  const sum = bytes.subarray(ADDRESS_BYTES - CHECKSUM_BYTES);
  if (!checksum(body).every((b, i) => b === sum[i]))
    throw new ShieldedError("BAD_ADDRESS", "address checksum mismatch");
  let pk: Digest;
  try {
    pk = digestFromBytes(body.subarray(0, DIGEST_BYTES), "address key");
  } catch {
    throw new ShieldedError("BAD_ADDRESS", "address owner key is not 8 field elements");
  }
  return { pk, encryptionKey: body.slice(DIGEST_BYTES) };
}

function checksum(body: Uint8Array): Uint8Array {
  return sha256(concat(ADDRESS_DOMAIN, body)).subarray(0, CHECKSUM_BYTES);
}
