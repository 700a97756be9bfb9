import {
  generateMnemonic as bip39Generate,
  validateMnemonic as bip39Validate,
  mnemonicToSeedSync,
} from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { addressOf } from "./address.js";
import { type SigningKey, signingKeyFromSeed } from "./ed25519.js";
import { CryptoError } from "./errors.js";
import { slip10Derive } from "./slip10.js";

/**
 * Coin type 7337 is p2pnode's own (unregistered in SLIP-0044): keys made for one chain never
 * collide with another wallet's. The last level is the account index.
 */
export const ACCOUNT_PATH_PREFIX = "m/44'/7337'/0'/0'";
export const accountPath = (index: number): string => `${ACCOUNT_PATH_PREFIX}/${index}'`;

/** A wallet account: its key (signs with node:crypto), address and the path it came from. */
export interface Account extends SigningKey {
  readonly address: Uint8Array;
  readonly path: string;
}

/** A new English BIP-39 mnemonic: 12 words (128 bits) or 24 words (256 bits). */
export function generateMnemonic(words: 12 | 24 = 24): string {
  if (words !== 12 && words !== 24)
    throw new CryptoError("BAD_MNEMONIC", `mnemonic: 12 or 24 words, not ${words}`);
  return bip39Generate(wordlist, words === 12 ? 128 : 256);
}

/** Lowercases and collapses whitespace so a pasted phrase with stray spaces still works. */
export function normalizeMnemonic(mnemonic: string): string {
  return String(mnemonic).trim().toLowerCase().split(/\s+/).join(" ");
}

export function isValidMnemonic(mnemonic: string): boolean {
  return bip39Validate(normalizeMnemonic(mnemonic), wordlist);
}

/** The 64-byte BIP-39 seed; refuses a phrase whose words or checksum are wrong. */
export function mnemonicToSeed(mnemonic: string, passphrase = ""): Uint8Array {
  const phrase = normalizeMnemonic(mnemonic);
  if (!bip39Validate(phrase, wordlist)) {
    throw new CryptoError(
      "BAD_MNEMONIC",
      "mnemonic: not a valid English BIP-39 phrase (a word or the checksum is wrong)",
    );
  }
  return mnemonicToSeedSync(phrase, passphrase);
}

/** Account `index` of a mnemonic: SLIP-0010 ed25519 at m/44'/7337'/0'/0'/index'. */
export function accountFromMnemonic(mnemonic: string, index = 0, passphrase = ""): Account {
  return accountFromSeed(mnemonicToSeed(mnemonic, passphrase), index);
}

export function accountFromSeed(seed: Uint8Array, index = 0): Account {
  if (!Number.isInteger(index) || index < 0 || index >= 0x8000_0000) {
    throw new CryptoError("BAD_PATH", `account index: expected 0 to 2^31-1, got ${index}`);
  }
  const path = accountPath(index);
  const key = signingKeyFromSeed(slip10Derive(seed, path).key);
  return { ...key, address: addressOf(key.publicKey), path };
}
