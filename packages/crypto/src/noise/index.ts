/** Noise_XX_25519_ChaChaPoly_SHA256 on @noble primitives, and the identity binding of DESIGN.md §5. */
export { type Aead, nobleChaChaPoly, opensslChaChaPoly } from "./aead.js";
export { CipherState, NOISE_MAX_MESSAGE, TAG_BYTES } from "./cipher-state.js";
export { NoiseError, type NoiseErrorCode } from "./errors.js";
export {
  NOISE_PROTOCOL_NAME,
  NoiseXX,
  type NoiseXXOptions,
  type PayloadSource,
  type TransportCiphers,
  type X25519KeyPair,
  x25519KeyPair,
} from "./handshake-xx.js";
export { noiseIdentitySignature, signNoiseIdentity, verifyNoiseIdentity } from "./identity-proof.js";
export { hkdf2, SymmetricState } from "./symmetric-state.js";
export { NOISE_MAX_PLAINTEXT, openedLength, openFrame, sealFrame } from "./transport.js";
