import { readlinkSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { ed25519Engine, verify } from "../ed25519.js";
import { type BatchReply, type BatchRequest, type ThreadReady, unpackBatch, VERDICT_ERROR } from "./batch.js";

/*
 * A VerifyPool thread: verifies each batch with crypto's one verify() (the same function the
 * synchronous paths call: one rule) and answers with one verdict byte per item.
 */
parentPort?.on("message", (req: BatchRequest) => {
  const items = unpackBatch(req);
  const verdicts = new Uint8Array(items.length);
  items.forEach((it, i) => {
    try {
      verdicts[i] = verify(it.signature, it.message, it.publicKey) ? 1 : 0;
    } catch {
      verdicts[i] = VERDICT_ERROR;
    }
  });
  parentPort?.postMessage({ id: req.id, verdicts } satisfies BatchReply, [verdicts.buffer]);
});
// Loaded (crypto and its imports evaluated): VerifyPool.start() waits for this. The engine is the
// one this thread loaded, which is what the pool reports (a service logs it and shows it on /metrics).
parentPort?.postMessage({ ready: true, engine: ed25519Engine, tid: kernelTaskId() } satisfies ThreadReady);

/** This thread's Linux task id: /proc/thread-self links to <pid>/task/<tid>. Undefined elsewhere. */
function kernelTaskId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}
