import { createRequire } from "node:module";

/*
 * libsodium's Ed25519 verify, through the sodium-native addon: the engine behind verify() where
 * the addon loads (prebuilt for Linux, macOS and Windows on x64 and arm64), node:crypto elsewhere.
 *
 * Why a second engine: node:crypto pays OpenSSL 3's per-call algorithm fetch and context set-up
 * on top of the curve arithmetic, which libsodium does not; the same verify costs about 0.6 of
 * the CPU (`pnpm --filter @p2pnode/crypto bench`). Every signature a node admits, relays or
 * connects goes through verify(), so this is most of a node's CPU per tx.
 *
 * Why it is the same rule: libsodium (built without ED25519_COMPAT, as sodium-native is) refuses
 * S ≥ L, non-canonical and small-order A and R, then checks [S]B = R + [k]A cofactorless by
 * comparing encodings, as OpenSSL does. verify()'s pre-checks refuse all of the former before
 * either engine runs, so past them both decide the same equation. test/ed25519.test.ts holds both
 * engines to every edge case's recorded verdict and to each other on random mixed-order points.
 *
 * Loaded with require from this module's own folder: a missing or foreign-platform addon is a
 * fallback to node:crypto, not a crash, and bundles leave the addon in its package's folder.
 */

interface SodiumNative {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

function loadSodium(): SodiumNative | null {
  try {
    return createRequire(import.meta.url)("sodium-native") as SodiumNative;
  } catch {
    return null;
  }
}

const sodium = loadSodium();

/** Whether libsodium's addon loaded in this thread. */
export function libsodiumLoaded(): boolean {
  return sodium !== null;
}

/**
 * sodium-native reads typed arrays over an ArrayBuffer only: over a SharedArrayBuffer it returns
 * undefined instead of a verdict. Such bytes are copied first.
 */
function ownBytes(u: Uint8Array): Uint8Array {
  return u.buffer instanceof ArrayBuffer ? u : Uint8Array.from(u);
}

/**
 * libsodium's verdict alone, without our rule's pre-checks (verify() runs those). Throws when the
 * addon is not loaded or gives anything but a boolean, so a verdict is never guessed.
 */
export function verifyLibsodium(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (sodium === null) throw new Error("libsodium (sodium-native) is not loaded on this platform");
  const valid: unknown = sodium.crypto_sign_verify_detached(
    ownBytes(signature),
    ownBytes(message),
    ownBytes(publicKey),
  );
  if (typeof valid !== "boolean") throw new Error(`libsodium answered ${String(valid)}, not a verdict`);
  return valid;
}
