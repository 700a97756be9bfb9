import {
  libsodiumLoaded,
  signingKeyFromSeed,
  signRaw,
  strictReject,
  verify,
  verifyLibsodium,
  verifyOpenSsl,
} from "@p2pnode/crypto";
import { fromLe, mixedOrderSignature, readEd25519EdgeVectors } from "@p2pnode/crypto/ed25519-cases";

/*
 * Differential fuzzing of the one Ed25519 rule. verify() decides a signature with the rule's
 * pre-checks and then one engine: libsodium where its addon loads, else OpenSSL. Its verdict must
 * not depend on that engine, so each input is decided both ways; a difference is thrown as a plain
 * Error, which the runner counts as a crash.
 */

/**
 * The same verdict from the pre-checks with OpenSSL and with libsodium, and libsodium alone accepts
 * nothing the pre-checks refuse (what PROTOCOL.md tells a libsodium-based peer). Returns verify()'s
 * verdict.
 */
function decideBothWays(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const verdict = verify(signature, message, publicKey);
  const rule = strictReject(signature, publicKey) === null;
  const withOpenSsl = rule && verifyOpenSsl(signature, message, publicKey);
  if (verdict !== withOpenSsl)
    throw new Error(`verify() says ${verdict}, the rule with OpenSSL ${withOpenSsl}`);
  if (!libsodiumLoaded()) return verdict;
  const sodiumAlone = verifyLibsodium(signature, message, publicKey);
  if (verdict !== (rule && sodiumAlone))
    throw new Error(`verify() says ${verdict}, the rule with libsodium ${rule && sodiumAlone}`);
  if (sodiumAlone && !rule)
    throw new Error(`libsodium alone accepts what the rule refuses: ${strictReject(signature, publicKey)}`);
  return verdict;
}

/**
 * Bytes as a peer sends them: publicKey (32) ‖ signature (64) ‖ message. A short input is
 * verify()'s typed BAD_INPUT.
 */
export function verifyWireBytes(input: Uint8Array): void {
  decideBothWays(input.subarray(32, 96), input.subarray(96), input.subarray(0, 32));
}

/**
 * Bytes as a recipe for a signature with torsion components (such points pass every pre-check, and
 * this is where verifiers split): secret scalar a (32 bytes), nonce r (32), one byte whose low
 * three bits pick the torsion point added to the key and the next three the one added to R, then
 * the message. The verdict must also be the algebra's: the cofactorless equation holds exactly when
 * T_R = −[k]T_A. Returns the verdict.
 */
export function verifyTorsionRecipe(input: Uint8Array): boolean {
  const pick = input[64] ?? 0;
  const c = mixedOrderSignature(
    fromLe(input.subarray(0, 32)),
    fromLe(input.subarray(32, 64)),
    pick & 7,
    (pick >> 3) & 7,
    input.subarray(65),
  );
  const verdict = decideBothWays(c.signature, input.subarray(65), c.publicKey);
  // A scalar ≡ 0 mod L leaves a small-order point, which the pre-checks refuse.
  const expected = strictReject(c.signature, c.publicKey) === null && c.passesCofactorless;
  if (verdict !== expected)
    throw new Error(`verify() says ${verdict}, the cofactorless equation ${expected}`);
  return verdict;
}

/**
 * Wire seeds: a genuine signature and every case of crypto's edge vectors (non-canonical S, R and
 * A, small-order and mixed-order points).
 */
export function ed25519WireSeeds(): Uint8Array[] {
  const key = signingKeyFromSeed(new Uint8Array(32).fill(11));
  const message = new TextEncoder().encode("p2pnode fuzz: ed25519");
  return [
    Buffer.concat([key.publicKey, signRaw(key, message), message]),
    ...readEd25519EdgeVectors().map((c) =>
      Buffer.concat([c.publicKey, c.signature, c.message].map((h) => Buffer.from(h, "hex"))),
    ),
  ];
}

/** Recipe seeds: each pair of torsion points once, with random-looking scalars. */
export function ed25519TorsionSeeds(): Uint8Array[] {
  return Array.from({ length: 64 }, (_, pick) => {
    const seed = new Uint8Array(65 + 8);
    for (let i = 0; i < 64; i++) seed[i] = (i * 37 + pick * 11 + 5) & 0xff;
    seed[64] = pick;
    seed.set(new TextEncoder().encode(`case ${pick}`.padEnd(8)), 65);
    return seed;
  });
}
