import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Ed25519Engine, SignedMessage } from "../ed25519.js";

/*
 * The ceiling a VerifyPool is measured against (benchmarks): `threads` threads that each call one
 * engine's Ed25519 verify in a loop, with no batching, no messages and no pre-checks: node:crypto
 * on one cached key object, or libsodium (sodium-native, found from this package as verify()'s
 * engine is). Plain JavaScript evaluated in the thread, so it runs the same from sources and dist.
 */
const LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const { publicKey, message, signature, seconds, sodiumPath } = workerData;
let check;
if (sodiumPath) {
  const sodium = require(sodiumPath);
  const [pk, msg, sig] = [Buffer.from(publicKey), Buffer.from(message), Buffer.from(signature)];
  check = () => sodium.crypto_sign_verify_detached(sig, msg, pk);
} else {
  const { createPublicKey, verify } = require("node:crypto");
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKey)]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  check = () => verify(null, message, key, signature);
}
parentPort.once("message", () => {
  let ops = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) if (check() !== true) throw new Error("sample does not verify");
    ops += 50;
  }
  parentPort.postMessage({ ops, seconds: (performance.now() - start) / 1000 });
});
parentPort.postMessage("ready");
`;

/** `engine`'s verifies per second summed over `threads` threads running for `seconds` each. */
export async function rawVerifyRate(
  sample: SignedMessage,
  threads: number,
  seconds: number,
  engine: Ed25519Engine = "openssl",
): Promise<number> {
  const sodiumPath = engine === "libsodium" ? createRequire(import.meta.url).resolve("sodium-native") : null;
  const workers = Array.from(
    { length: threads },
    () => new Worker(LOOP, { eval: true, workerData: { ...sample, seconds, sodiumPath } }),
  );
  try {
    // Every thread is started before any is timed, so they run side by side.
    await Promise.all(workers.map((w) => new Promise((r) => w.once("message", r))));
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ ops: number; seconds: number }>((resolve, reject) => {
            w.once("message", resolve);
            w.once("error", reject);
            w.postMessage("go");
          }),
      ),
    );
    return results.reduce((n, r) => n + r.ops / r.seconds, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
