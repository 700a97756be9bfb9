import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { libsodiumLoaded, verifyLibsodium } from "./ed25519-libsodium.js";
import { assertBytes, CryptoError } from "./errors.js";

/**
 * Anything that can sign: a public key and its node:crypto private key. A NodeKey (identity.ts)
 * and a wallet Account both fit.
 */
export interface SigningKey {
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

// DER prefixes of Ed25519 keys (RFC 8410); the 32 raw bytes follow each.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * One signature to check, as the arguments of verify() in one value: what VerifyPool takes, and
 * what the domain helpers (signedDomain, transactionSignature, noiseIdentitySignature) build so
 * that the bytes a pool verifies are the bytes the synchronous path verifies.
 */
export interface SignedMessage {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** The Ed25519 key of a 32-byte seed (RFC 8032's "private key"). */
export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new CryptoError("BAD_KEY", `Ed25519 seed: expected 32 bytes, got ${seed?.length ?? typeof seed}`);
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), privateKey };
}

/** Signs `message` as is (PureEdDSA). Consensus messages go through signDomain (signing.ts). */
export function signRaw(key: SigningKey, message: Uint8Array): Uint8Array {
  assertBytes(message, "message");
  const sig = nodeSign(null, message, key.privateKey);
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
}

/*
 * THE signature rule of p2pnode. Every consensus path calls verify(); nothing else verifies.
 *
 * Ed25519 implementations disagree on edge cases ("Taming the many EdDSAs", Chalkias et al.
 * 2020), and a signature that one node accepts and another rejects splits the chain. Our rule
 * is RFC 8032 §5.1.7 cofactorless verification (what OpenSSL, behind node:crypto, and libsodium
 * compute; libsodium runs it where its addon loads, see ed25519-libsodium.ts) plus explicit
 * rejections made here, before either engine sees the bytes, so that the verdict depends neither
 * on the engine nor on the version a node was built with:
 *   1. S must be canonical: S < L. (OpenSSL 3 checks this too; we do not rely on it.)
 *   2. A and R must be canonical encodings: y < p. OpenSSL accepts non-canonical A.
 *   3. A and R must not be of small order (the 8 torsion points, in any encoding). OpenSSL
 *      accepts them: A = R = identity with S = 0 verifies every message under it, and an
 *      identity R verifies with S = k·a. @noble/curves' strict mode rejects small-order A
 *      but not small-order R.
 * Points of mixed order (a torsion component on top of a prime-order one) are not rejected:
 * cofactorless verification decides them, the same way on every node. @noble/curves verifies
 * cofactored and so accepts some of those; it verifies nothing outside tests. The table of
 * cases and each verifier's verdict is test/vectors/ed25519-edge.json.
 */

/** L, the order of the prime-order subgroup, little-endian as it appears in signatures. */
const L_LE = Buffer.from("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", "hex");

/**
 * y-coordinates (little-endian, sign bit cleared) of the 8 small-order points: the identity
 * (y=1), the point of order 2 (y=p-1), the two of order 4 (y=0) and the four of order 8.
 * Comparing y alone covers both signs of x; non-canonical encodings (y ≥ p) are refused first.
 */
const SMALL_ORDER_Y = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
].map((h) => Buffer.from(h, "hex"));

/** Whether the 32 bytes at `bytes[offset..]`, read little-endian, are below `bound`. */
function lessThanLE(bytes: Uint8Array, offset: number, bound: Uint8Array, clearTopBit: boolean): boolean {
  for (let i = 31; i >= 0; i--) {
    const b = i === 31 && clearTopBit ? bytes[offset + i]! & 0x7f : bytes[offset + i]!;
    if (b !== bound[i]) return b < bound[i]!;
  }
  return false;
}

/** p = 2^255 - 19, little-endian. */
const P_LE = Buffer.from("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex");

function isCanonicalPoint(bytes: Uint8Array, offset: number): boolean {
  return lessThanLE(bytes, offset, P_LE, true);
}

function isSmallOrderPoint(bytes: Uint8Array, offset: number): boolean {
  outer: for (const y of SMALL_ORDER_Y) {
    for (let i = 0; i < 32; i++) {
      const b = i === 31 ? bytes[offset + i]! & 0x7f : bytes[offset + i]!;
      if (b !== y[i]) continue outer;
    }
    return true;
  }
  return false;
}

/** Why our rule refuses a (signature, public key) before either engine runs, or null if it does not. */
export function strictReject(signature: Uint8Array, publicKey: Uint8Array): string | null {
  if (!lessThanLE(signature, 32, L_LE, false)) return "non-canonical S (S >= L)";
  if (!isCanonicalPoint(publicKey, 0)) return "non-canonical public key encoding";
  if (!isCanonicalPoint(signature, 0)) return "non-canonical R encoding";
  if (isSmallOrderPoint(publicKey, 0)) return "small-order public key";
  if (isSmallOrderPoint(signature, 0)) return "small-order R";
  return null;
}

/**
 * Why no signature could ever verify under `publicKey` by our rule (non-canonical or small-order
 * encoding, or a point OpenSSL cannot decode), or null for a usable key. Configuration that lists
 * keys (the genesis validators) checks them with this at start-up.
 */
export function publicKeyReject(publicKey: Uint8Array): string | null {
  assertBytes(publicKey, "public key", 32);
  if (!isCanonicalPoint(publicKey, 0)) return "non-canonical public key encoding";
  if (isSmallOrderPoint(publicKey, 0)) return "small-order public key";
  try {
    // OpenSSL imports any 32 bytes; decoding the point is what finds a y with no x.
    ed25519.Point.fromBytes(publicKey);
  } catch {
    return "not a point on the curve";
  }
  return null;
}

// Importing a key costs about a tenth of a verify; senders repeat, so keep recent ones.
const KEY_CACHE_SIZE = 4096;
const keyCache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString("hex");
  let key = keyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

/** node:crypto's verdict alone, without our rule's pre-checks. Exported for tests and benchmarks. */
export function verifyOpenSsl(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false; // a key OpenSSL cannot decode is a key no signature is valid for
  }
}

/** Which engine decides the equation behind verify()'s pre-checks in this thread. */
export type Ed25519Engine = "libsodium" | "openssl";
export const ed25519Engine: Ed25519Engine = libsodiumLoaded() ? "libsodium" : "openssl";
const verifyEquation = ed25519Engine === "libsodium" ? verifyLibsodium : verifyOpenSsl;

/**
 * Verifies an Ed25519 signature under p2pnode's one rule (see above). Returns false for any
 * signature that does not verify; throws only when handed bytes of the wrong type or length.
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  assertBytes(signature, "signature", 64);
  assertBytes(publicKey, "public key", 32);
  assertBytes(message, "message");
  if (strictReject(signature, publicKey) !== null) return false;
  return verifyEquation(signature, message, publicKey);
}
