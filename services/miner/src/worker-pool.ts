import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WorkerCommand, WorkerEvent } from "./hash-worker.js";

/**
 * The compiled worker script. Under vitest the sources run as .ts, but worker_threads needs
 * JavaScript, so tests use the build output (turbo builds before tests).
 */
export function workerScript(): URL {
  const here = new URL("./hash-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL("../dist/hash-worker.js", import.meta.url);
}

/** N hashing threads that all receive the same kind of job with disjoint nonce ranges. */
export class WorkerPool {
  private readonly workers: Worker[] = [];

  constructor(
    size: number,
    private readonly onEvent: (e: WorkerEvent, worker: number) => void,
    private readonly onError: (err: Error) => void,
  ) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerScript());
      w.on("message", (e: WorkerEvent) => this.onEvent(e, i));
      w.on("error", (err) => this.onError(err));
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** `transfer`: buffers handed over to the worker (moved, not copied; unusable here afterwards). */
  send(index: number, cmd: WorkerCommand, transfer: ArrayBuffer[] = []): void {
    this.workers[index]!.postMessage(cmd, transfer);
  }

  broadcast(cmd: WorkerCommand): void {
    for (const w of this.workers) w.postMessage(cmd);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
