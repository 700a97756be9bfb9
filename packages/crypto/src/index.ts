/**
 * @p2pnode/crypto — hashes, Ed25519 keys and the one signature rule, domain-separated
 * signing, accounts from BIP-39 mnemonics, Merkle trees, and the hashes of chain objects.
 * See README.md for the formats.
 */
export * from "./address.js";
export * from "./chain.js";
export * from "./consensus.js";
export * from "./dht.js";
export {
  type Ed25519Engine,
  ed25519Engine,
  publicKeyReject,
  type SignedMessage,
  type SigningKey,
  signingKeyFromSeed,
  signRaw,
  strictReject,
  verify,
  verifyOpenSsl,
} from "./ed25519.js";
export { libsodiumLoaded, verifyLibsodium } from "./ed25519-libsodium.js";
export { CryptoError, type CryptoErrorCode } from "./errors.js";
export * from "./hash.js";
export * from "./identity.js";
export * from "./merkle.js";
export * from "./noise/index.js";
export * from "./signing.js";
export * from "./slip10.js";
export * from "./verify-pool/index.js";
export * from "./wallet.js";
export * from "./wallet-file.js";
