import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ed25519 } from "@noble/curves/ed25519.js";

/*
 * Ed25519 cases for tests, vector generation and fuzzing (`@p2pnode/crypto/ed25519-cases`); the
 * node itself never builds or reads one:
 *   - signatures with torsion components, built with @noble/curves point arithmetic: where Ed25519
 *     verifiers are known to split (cofactored or cofactorless equation), since such points pass
 *     every pre-check of our rule;
 *   - the recorded edge vectors, test/vectors/ed25519-edge.json (`pnpm --filter @p2pnode/crypto
 *     vectors` writes it), with every verifier's verdict.
 */

/** One recorded edge case: hex encodings, and each verifier's verdict on it. */
export interface Ed25519EdgeVector {
  name: string;
  publicKey: string;
  signature: string;
  message: string;
  verdicts: {
    p2pnode: boolean;
    nodeCrypto: boolean;
    libsodium: boolean;
    nobleStrict: boolean;
    nobleZip215: boolean;
  };
}

/** The cases of test/vectors/ed25519-edge.json (one level up from src/ and from dist/). */
export function readEd25519EdgeVectors(): Ed25519EdgeVector[] {
  const file = new URL("../test/vectors/ed25519-edge.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { cases: Ed25519EdgeVector[] }).cases;
}

type Point = InstanceType<typeof ed25519.Point>;
const { Point } = ed25519;
export const ED25519_L = Point.Fn.ORDER;
const B = Point.BASE;

export function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
export function fromLe(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
/** k = SHA-512(R ‖ A ‖ M) mod L, over the encodings exactly as they appear on the wire. */
export function challenge(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  return fromLe(createHash("sha512").update(r).update(a).update(m).digest()) % ED25519_L;
}
export const mul = (p: Point, n: bigint) => (n % ED25519_L === 0n ? Point.ZERO : p.multiply(n % ED25519_L));

/** A point of order 8; its multiples are the whole torsion subgroup. */
const T8 = Point.fromBytes(
  Uint8Array.from(Buffer.from("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "hex")),
);
export const torsion: Point[] = Array.from({ length: 8 }, (_, i) => T8.multiplyUnsafe(BigInt(i)));

/**
 * A signature by secret scalar `a` with nonce `r` on `message`, made with torsion point `tA` added
 * to the key and `tR` to R: A' = [a]B + T_tA, R' = [r]B + T_tR, S = r + k·a. It passes the
 * cofactored equation always, and the cofactorless one exactly when R' = [S]B - [k]A', that is
 * when T_tR = -[k]T_tA, or (tR + k·tA) ≡ 0 mod 8.
 */
export function mixedOrderSignature(a: bigint, r: bigint, tA: number, tR: number, message: Uint8Array) {
  const A = mul(B, a).add(torsion[tA]!).toBytes();
  const R = mul(B, r).add(torsion[tR]!).toBytes();
  const k = challenge(R, A, message);
  return {
    publicKey: A,
    signature: Uint8Array.of(...R, ...le32((r + k * a) % ED25519_L)),
    passesCofactorless: (BigInt(tR) + k * BigInt(tA)) % 8n === 0n,
  };
}
