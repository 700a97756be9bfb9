import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { Ed25519Engine, SignedMessage } from "../ed25519.js";
import { assertBytes, CryptoError } from "../errors.js";
import { type BatchReply, packBatch, type ThreadReady, VERDICT_ERROR } from "./batch.js";
import { type StartVerifyWorker, startVerifyWorker, verifyWorkerEntry } from "./start-worker.js";

export interface VerifyPoolOptions {
  /** Verify threads; default one per core (os.availableParallelism()). Services read P2PNODE_VERIFY_THREADS. */
  threads: number;
  /** Fewest items worth a thread of their own: a tick's batch is split into chunks at least this large. */
  minChunk: number;
}

export const MAX_VERIFY_THREADS = 256;

export function defaultVerifyPoolOptions(): VerifyPoolOptions {
  return { threads: availableParallelism(), minChunk: 16 };
}

export interface VerifyPoolModules {
  /** Starts a thread on the worker entry (default: the .js or .ts file beside this module). */
  startWorker?: StartVerifyWorker;
}

/**
 * Where an item's outcome goes: the verdict, or why none can be had (BAD_INPUT, WORKER_FAILED,
 * POOL_CLOSED). verify() makes one around its promise; a caller that submits many items (the
 * chain's admission) passes an object it already has to verifyTo(), and so makes no promise and
 * no closures per item.
 */
export interface VerdictSink {
  verdict(ok: boolean): void;
  failed(err: Error): void;
}

interface Job {
  item: SignedMessage;
  sink: VerdictSink;
  /** Times the job was in a batch whose thread died; the second death rejects it. */
  failures: number;
}

interface Thread {
  worker: Worker;
  batches: Map<number, Job[]>;
  /** Items in flight on this thread: where the next chunk goes. */
  load: number;
  dead: boolean;
  /** Settles when the thread has loaded its module, or died. */
  ready: Promise<void>;
  /** Its kernel task id, once it said (ThreadReady.tid). */
  tid: number | undefined;
}

/**
 * Ed25519 verification on worker threads, so that the event loop never waits on a verify.
 * Submissions made during one turn of the event loop are sent together: split over the least
 * loaded threads, one transferred buffer per thread, or, when too few to split, to the first thread
 * with room. Each thread runs crypto's one verify().
 * Threads start with start() (services call it at start-up: loading a thread takes from a tenth of
 * a second to seconds on a loaded machine, which no request should wait for) or with the first
 * submission. A thread that dies is replaced; the items it held are
 * sent again once, then rejected with WORKER_FAILED, never left pending. `close()` rejects what is
 * pending with POOL_CLOSED and ends every thread.
 */
export class VerifyPool {
  private readonly opts: VerifyPoolOptions;
  private readonly startWorker: StartVerifyWorker;
  private readonly threads: Thread[] = [];
  private queue: Job[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private nextBatchId = 0;
  private closed = false;
  /** Threads that died and were replaced (exposed for metrics and tests). */
  respawns = 0;
  /** The Ed25519 engine the threads verify with, as they reported it once loaded (after start()). */
  engine: Ed25519Engine | undefined;

  constructor(opts: Partial<VerifyPoolOptions> = {}, modules: VerifyPoolModules = {}) {
    this.opts = { ...defaultVerifyPoolOptions(), ...opts };
    const { threads, minChunk } = this.opts;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_VERIFY_THREADS)
      throw new CryptoError("BAD_INPUT", `verify threads: expected 1-${MAX_VERIFY_THREADS}, got ${threads}`);
    if (!Number.isInteger(minChunk) || minChunk < 1)
      throw new CryptoError("BAD_INPUT", `verify minChunk: expected a positive integer, got ${minChunk}`);
    this.startWorker = modules.startWorker ?? startVerifyWorker;
  }

  get size(): number {
    return this.opts.threads;
  }

  get stats(): { threads: number; running: number; queued: number; inFlight: number; respawns: number } {
    return {
      threads: this.opts.threads,
      running: this.threads.length,
      queued: this.queue.length,
      inFlight: this.threads.reduce((n, t) => n + t.load, 0),
      respawns: this.respawns,
    };
  }

  /**
   * The kernel task ids (Linux) of the running threads that reported one (a thread that died or
   * was closed has left `threads`): what a benchmark reads to tell the verify threads' CPU time
   * from the event loop's and V8's helper threads'.
   */
  taskIds(): number[] {
    const ids: number[] = [];
    for (const t of this.threads) if (t.tid !== undefined) ids.push(t.tid);
    return ids;
  }

  /**
   * Whether `signature` is valid for `message` under `publicKey` by crypto's verify(). Rejects
   * with BAD_INPUT for bytes of the wrong type or length (where verify() throws), WORKER_FAILED
   * or POOL_CLOSED when no verdict can be had.
   */
  verify(item: SignedMessage): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.verifyTo(item, { verdict: resolve, failed: reject });
    });
  }

  /**
   * verify(), with the outcome handed to `sink` instead of a promise: `sink.verdict` or
   * `sink.failed`, once, never before this call returns (a refusal of the input is deferred to a
   * microtask, as verify()'s rejection is).
   */
  verifyTo(item: SignedMessage, sink: VerdictSink): void {
    try {
      assertBytes(item.signature, "signature", 64);
      assertBytes(item.publicKey, "public key", 32);
      assertBytes(item.message, "message");
      if (this.closed) throw closedError();
    } catch (err) {
      queueMicrotask(() => sink.failed(err as Error));
      return;
    }
    this.queue.push({ item, sink, failures: 0 });
    this.schedule();
  }

  /** verify() of every item; the verdicts in the items' order. */
  verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    return Promise.all(items.map((it) => this.verify(it)));
  }

  /** Starts every thread and resolves when each has loaded (or died: it is replaced on demand). */
  async start(): Promise<void> {
    if (this.closed) throw closedError();
    while (this.threads.length < this.opts.threads) this.threads.push(this.spawn());
    // Loading holds the process open, as a batch in flight does: a script that only awaits
    // start() would otherwise end with the promise unsettled (exit code 13).
    const loading = [...this.threads];
    for (const t of loading) t.worker.ref();
    try {
      await Promise.all(loading.map((t) => t.ready));
    } finally {
      for (const t of loading) if (t.load === 0) t.worker.unref();
    }
  }

  /** Rejects every pending item with POOL_CLOSED and ends the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    const err = closedError();
    for (const job of this.queue.splice(0)) job.sink.failed(err);
    const threads = this.threads.splice(0);
    for (const t of threads) {
      t.dead = true;
      for (const jobs of t.batches.values()) for (const job of jobs) job.sink.failed(err);
      t.batches.clear();
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private schedule(): void {
    if (this.scheduled) return;
    // setImmediate, not a microtask: everything that arrives in this turn's I/O callbacks
    // (REST requests, NATS messages) joins the same batch.
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.closed || this.queue.length === 0) return;
    while (this.threads.length < this.opts.threads) this.threads.push(this.spawn());
    const jobs = this.queue;
    this.queue = [];
    const chunks = Math.min(this.threads.length, Math.max(1, Math.floor(jobs.length / this.opts.minChunk)));
    const byLoad = [...this.threads].sort((a, b) => a.load - b.load);
    // A batch too small to split goes to the first thread that has room for it (fewer than
    // minChunk items in flight with it), so the other threads stay asleep: waking a thread costs
    // more CPU than the few verifies it would take over (a trickle of REST requests measured so).
    const targets =
      chunks === 1
        ? [this.threads.find((t) => t.load + jobs.length <= this.opts.minChunk) ?? byLoad[0]!]
        : byLoad.slice(0, chunks);
    const per = Math.ceil(jobs.length / chunks);
    targets.forEach((t, i) => {
      const chunk = jobs.slice(i * per, (i + 1) * per);
      if (chunk.length > 0) this.send(t, chunk);
    });
  }

  private send(t: Thread, jobs: Job[]): void {
    const req = packBatch(
      this.nextBatchId++,
      jobs.map((j) => j.item),
    );
    t.batches.set(req.id, jobs);
    t.load += jobs.length;
    t.worker.ref();
    t.worker.postMessage(req, [req.buffer]);
  }

  private spawn(): Thread {
    const worker = this.startWorker(verifyWorkerEntry());
    let loaded: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const t: Thread = { worker, batches: new Map(), load: 0, dead: false, ready, tid: undefined };
    worker.on("message", (reply: BatchReply | ThreadReady) => {
      if ("ready" in reply) {
        if (reply.engine) this.engine = reply.engine;
        t.tid = reply.tid;
        loaded();
      } else this.onReply(t, reply);
    });
    worker.on("error", (err) => {
      loaded();
      this.onDeath(t, err.message);
    });
    worker.on("exit", (code) => {
      loaded();
      this.onDeath(t, `exited with code ${code}`);
    });
    worker.unref(); // an idle pool does not keep the process alive; send() refs it while busy
    return t;
  }

  private onReply(t: Thread, reply: BatchReply): void {
    const jobs = t.batches.get(reply.id);
    if (!jobs) return;
    t.batches.delete(reply.id);
    t.load -= jobs.length;
    if (t.load === 0) t.worker.unref();
    jobs.forEach((job, i) => {
      const v = reply.verdicts[i];
      if (v === VERDICT_ERROR) job.sink.failed(new CryptoError("BAD_INPUT", "verify threw on this item"));
      else job.sink.verdict(v === 1);
    });
  }

  /** A thread died ("error" and "exit" may both come: handled once). Its items go again, once. */
  private onDeath(t: Thread, why: string): void {
    if (t.dead) return;
    t.dead = true;
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    if (this.closed) return;
    this.respawns++;
    const retry: Job[] = [];
    for (const jobs of t.batches.values())
      for (const job of jobs) {
        job.failures++;
        if (job.failures > 1)
          job.sink.failed(
            new CryptoError("WORKER_FAILED", `verify thread died twice with this item in its batch (${why})`),
          );
        else retry.push(job);
      }
    t.batches.clear();
    void t.worker.terminate();
    if (retry.length > 0) {
      this.queue = [...retry, ...this.queue];
      this.schedule();
    }
  }
}

function closedError(): CryptoError {
  return new CryptoError("POOL_CLOSED", "the verify pool is closed");
}
