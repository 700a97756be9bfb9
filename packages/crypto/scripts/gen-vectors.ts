/**
 * Regenerates test/vectors/*.json:  pnpm --filter @p2pnode/crypto vectors
 * - ed25519-edge.json: each case carries the verdict of every verifier in reach, so a reader
 *   sees where they differ and what our rule (verify()) decides.
 * - chain-signing.json: account derivation, tx signatures and ids, a header hash.
 * - protocol-signing.json: every signed byte string of the wire protocol (packages/codec
 *   PROTOCOL.md) with real keys: block, Merkle tree, P2P handshake and frames, DHT objects.
 * - consensus-signing.json: Dolev-Strong relay and commit signatures and their signed bytes.
 * The tests recompute all of them; regenerate only with a deliberate format change.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519.js";
import { verify, verifyLibsodium, verifyOpenSsl } from "../src/index.js";
import { chainVectors } from "./chain-cases.js";
import { consensusVectors } from "./consensus-cases.js";
import { edgeCases } from "./ed25519-edge-cases.js";
import { protocolVectors } from "./protocol-cases.js";

const b = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const noble = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, zip215: boolean) => {
  try {
    return ed25519.verify(sig, msg, pub, { zip215 });
  } catch {
    return false;
  }
};

const vectors = edgeCases().map((c) => {
  const [sig, msg, pub] = [b(c.signature), b(c.message), b(c.publicKey)];
  return {
    ...c,
    verdicts: {
      p2pnode: verify(sig, msg, pub),
      nodeCrypto: verifyOpenSsl(sig, msg, pub),
      libsodium: verifyLibsodium(sig, msg, pub),
      nobleStrict: noble(sig, msg, pub, false),
      nobleZip215: noble(sig, msg, pub, true),
    },
  };
});

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "vectors");
const file = join(dir, "ed25519-edge.json");
const header = {
  generatedBy: "pnpm --filter @p2pnode/crypto vectors",
  note: "p2pnode = verify(): our one rule. nodeCrypto = OpenSSL alone. libsodium = libsodium alone (sodium-native). noble* = @noble/curves (tests only).",
  nodeVersion: process.versions.node,
  openssl: process.versions.openssl,
};
writeFileSync(file, `${JSON.stringify({ ...header, cases: vectors }, null, 2)}\n`);
console.table(vectors.map((v) => ({ name: v.name.slice(0, 60), ...v.verdicts })));

const chainFile = join(dir, "chain-signing.json");
writeFileSync(
  chainFile,
  `${JSON.stringify({ generatedBy: header.generatedBy, ...chainVectors() }, null, 2)}\n`,
);
const protocolFile = join(dir, "protocol-signing.json");
writeFileSync(
  protocolFile,
  `${JSON.stringify({ generatedBy: header.generatedBy, ...protocolVectors() }, null, 2)}\n`,
);
const consensusFile = join(dir, "consensus-signing.json");
writeFileSync(
  consensusFile,
  `${JSON.stringify({ generatedBy: header.generatedBy, ...consensusVectors() }, null, 2)}\n`,
);
console.log(`wrote ${file}, ${chainFile}, ${protocolFile} and ${consensusFile}`);
