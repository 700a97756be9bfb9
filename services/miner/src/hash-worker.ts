import { parentPort } from "node:worker_threads";
import { searchNonces } from "./pow.js";
import { lowerThreadPriority } from "./thread-priority.js";

lowerThreadPriority();

/**
 * One mining thread. It receives jobs, searches in slices of `sliceSize` nonces and yields to its
 * message queue between slices, so a new job (new tip, new mempool) replaces the old one promptly.
 */
export interface WorkerJob {
  type: "job";
  jobId: number;
  header: Uint8Array;
  target: Uint8Array;
  nonceOffset: number;
  nonceHigh: number;
  sliceSize: number;
}
export type WorkerCommand = WorkerJob | { type: "pause" };
export type WorkerEvent =
  | { type: "progress"; jobId: number; hashes: number }
  | { type: "found"; jobId: number; nonceHigh: number; nonceLow: number }
  | { type: "exhausted"; jobId: number };

let current: WorkerJob | undefined;
let nextLow = 0;
let scheduled = false;

function post(e: WorkerEvent): void {
  parentPort!.postMessage(e);
}

function step(): void {
  scheduled = false;
  const job = current;
  if (!job) return;
  const count = Math.min(job.sliceSize, 0x1_0000_0000 - nextLow);
  const low = searchNonces({ ...job, nonceLow: nextLow, count });
  post({ type: "progress", jobId: job.jobId, hashes: low === -1 ? count : low - nextLow + 1 });
  if (low !== -1) {
    current = undefined;
    post({ type: "found", jobId: job.jobId, nonceHigh: job.nonceHigh, nonceLow: low });
    return;
  }
  nextLow += count;
  if (nextLow >= 0x1_0000_0000) {
    current = undefined;
    post({ type: "exhausted", jobId: job.jobId });
    return;
  }
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(step);
}

parentPort!.on("message", (cmd: WorkerCommand) => {
  if (cmd.type === "pause") {
    current = undefined;
    return;
  }
  current = cmd;
  nextLow = 0;
  schedule();
});
