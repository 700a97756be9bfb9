import { Worker } from "node:worker_threads";
import type { SignedMessage } from "../ed25519.js";

/*
 * The ceiling a VerifyPool is measured against (benchmarks): `threads` threads that each call
 * node:crypto's Ed25519 verify on one cached key in a loop, with no batching, no messages and no
 * pre-checks. Plain JavaScript evaluated in the thread, so it runs the same from sources and dist.
 */
const LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const { publicKey, message, signature, seconds } = workerData;
const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKey)]);
const key = createPublicKey({ key: spki, format: "der", type: "spki" });
parentPort.once("message", () => {
  let ops = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) if (!verify(null, message, key, signature)) throw new Error("sample does not verify");
    ops += 50;
  }
  parentPort.postMessage({ ops, seconds: (performance.now() - start) / 1000 });
});
parentPort.postMessage("ready");
`;

/** node:crypto verifies per second summed over `threads` threads running for `seconds` each. */
export async function rawVerifyRate(
  sample: SignedMessage,
  threads: number,
  seconds: number,
): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(LOOP, { eval: true, workerData: { ...sample, seconds } }),
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
