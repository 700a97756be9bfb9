import { equalBytes } from "@p2pnode/codec";
import { signingKeyFromSeed, signRaw, verify } from "@p2pnode/crypto";
import type { VerifyFn } from "../../src/consensus/index.js";
import type { Rng } from "./rng.js";

/**
 * The validators' keys of one simulated network, in one of two schemes:
 * - "ideal": the ideal signature functionality: a registry of every (key, message) signed; a
 *   signature verifies only for the key and message it was issued for, and only the holder of
 *   a key can have one issued (the adversary signs only as its members). Hundreds of times
 *   cheaper than Ed25519, so 10,000 runs fit in CI; the protocol code is the same.
 * - "ed25519": real keys, signed with node:crypto and checked with crypto's one `verify`.
 */
export type SignatureScheme = "ideal" | "ed25519";

export interface SimKeys {
  publicKeys: Uint8Array[];
  sign(index: number, message: Uint8Array): Uint8Array;
  verify: VerifyFn;
}

export function simKeys(n: number, scheme: SignatureScheme, rng: Rng): SimKeys {
  if (scheme === "ed25519") {
    const keys = Array.from({ length: n }, () => signingKeyFromSeed(rng.bytes(32)));
    return {
      publicKeys: keys.map((k) => k.publicKey),
      sign: (i, message) => signRaw(keys[i]!, message),
      verify,
    };
  }
  // The ideal signature functionality (a registry of what each key signed): a signature is a
  // registry ticket, and it verifies only for the key and the exact message it was issued for.
  const publicKeys = Array.from({ length: n }, () => rng.bytes(32));
  const issued: { key: Uint8Array; message: Uint8Array; signature: Uint8Array }[] = [];
  const salt = rng.bytes(60);
  return {
    publicKeys,
    sign: (i, message) => {
      const signature = new Uint8Array(64);
      new DataView(signature.buffer).setUint32(0, issued.length);
      signature.set(salt, 4);
      issued.push({ key: publicKeys[i]!, message: new Uint8Array(message), signature });
      return signature;
    },
    verify: (signature, message, publicKey) => {
      const ticket = (signature[0]! << 24) | (signature[1]! << 16) | (signature[2]! << 8) | signature[3]!;
      const entry = issued[ticket >>> 0];
      return (
        entry !== undefined &&
        entry.key === publicKey &&
        equalBytes(entry.signature, signature) &&
        equalBytes(entry.message, message)
      );
    },
  };
}
