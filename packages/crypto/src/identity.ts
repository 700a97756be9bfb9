import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";

/** A node's Ed25519 identity. NodeId = SHA-256(public key) (DESIGN.md §4). */
export interface NodeKey {
  publicKey: Uint8Array;
  nodeId: Uint8Array;
  nodeIdHex: string;
  privateKey: KeyObject;
}

export const IDENTITY_FILE = "identity.key";

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function nodeIdOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey);
}

export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  if (seed.length !== 32)
    throw new CryptoError("BAD_KEY", `identity seed must be 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  const publicKey = new Uint8Array(Buffer.from(jwk.x as string, "base64url"));
  const nodeId = nodeIdOf(publicKey);
  return { publicKey, nodeId, nodeIdHex: Buffer.from(nodeId).toString("hex"), privateKey };
}

/**
 * Installs a given identity (a validator's key, prepared with the network's genesis) as
 * `<dataDir>/identity.key` on first start; on later starts checks that the data dir still holds
 * that key, so a data dir is never silently run under another identity. The source may be readable
 * by the node's group (a Kubernetes Secret with fsGroup, a Compose bind mount) but not writable by
 * anyone else, who could otherwise swap the key. Throws a BAD_KEY CryptoError naming the file.
 */
export function installIdentity(dataDir: string, sourceFile: string): NodeKey {
  let st: ReturnType<typeof statSync>;
  let text: string;
  try {
    st = statSync(sourceFile);
    text = readFileSync(sourceFile, "utf8");
  } catch (err) {
    throw new CryptoError("BAD_KEY", `${sourceFile}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw new CryptoError(
      "BAD_KEY",
      `${sourceFile} has mode ${(st.mode & 0o777).toString(8)}; others must not be able to write it`,
    );
  }
  const seed = text.trim();
  if (!/^[0-9a-f]{64}$/.test(seed))
    throw new CryptoError("BAD_KEY", `${sourceFile} does not hold a 32-byte hex seed`);
  const file = join(dataDir, IDENTITY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${seed}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  const key = loadOrCreateIdentity(dataDir);
  const want = nodeKeyFromSeed(Buffer.from(seed, "hex"));
  if (key.nodeIdHex !== want.nodeIdHex) {
    throw new CryptoError(
      "BAD_KEY",
      `${file} holds another identity than ${sourceFile} (node ${key.nodeIdHex.slice(0, 16)}…): this data dir belongs to another node`,
    );
  }
  return key;
}

/**
 * Loads the identity from `<dataDir>/identity.key`, creating it (mode 0600) on first start.
 * The file holds the 32-byte seed as hex; a file readable by others is refused, like ssh does.
 */
export function loadOrCreateIdentity(dataDir: string): NodeKey {
  const file = join(dataDir, IDENTITY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const seed = der.subarray(der.length - 32);
    writeFileSync(file, `${seed.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CryptoError(
      "BAD_KEY",
      `${file} has mode ${mode.toString(8)}; it must be 600 (chmod 600 ${file})`,
    );
  }
  const hex = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new CryptoError("BAD_KEY", `${file} does not hold a 32-byte hex seed`);
  return nodeKeyFromSeed(Buffer.from(hex, "hex"));
}
