import { join } from "node:path";
import type { Logger } from "@p2pnode/kit";
import type {
  FunctionRegisterRequest,
  TaskEvent,
  TaskList,
  TaskStatus,
  TaskSubmitRequest,
  TaskView,
} from "@p2pnode/types";
import { CodedError } from "@p2pnode/types";
import type { Registry } from "prom-client";
import type { z } from "zod";
import type { ComputeOptions } from "./config.js";
import { type DhtPort, FunctionRegistry, functionView } from "./functions.js";
import { earlierTask, idempotentSubmit } from "./idempotency.js";
import { submitTask } from "./intake.js";
import { ComputeMetrics } from "./metrics.js";
import { ProgressHub } from "./progress.js";
import { SandboxPool } from "./sandbox/sandbox-pool.js";
import { LocalTransport } from "./scheduler/local-transport.js";
import { type Disagreement, Scheduler } from "./scheduler/scheduler.js";
import type { WorkerTransport } from "./scheduler/transport.js";
import { spotCheckProbability } from "./scheduler/trust.js";
import { ComputeStore } from "./store.js";
import { type TaskViewOptions, taskList, taskView } from "./views.js";

export const computeStoreFile = (dataDir: string): string => join(dataDir, "compute", "compute.sqlite");

export interface ComputeCoreModules {
  dataDir: string;
  log: Logger;
  dht: DhtPort;
  metrics?: Registry;
  /** Progress events for other services (NATS). */
  publish?: (e: TaskEvent) => void;
  /** Where jobs run; default: this node's sandbox pool as the only worker. */
  transport?: (local: LocalTransport) => WorkerTransport;
  /** A worker caught disagreeing (later: the gateway's peer score). */
  reputation?: (worker: string, d: Disagreement) => void;
  /** False while the service may not acknowledge writes (supervisor gone, NATS down). */
  writable?: () => boolean;
}

/** The compute service without its edges: store, sandbox pool, registry, scheduler, progress. */
export class ComputeCore {
  readonly store: ComputeStore;
  readonly pool: SandboxPool;
  readonly registry: FunctionRegistry;
  readonly scheduler: Scheduler;
  readonly hub = new ProgressHub();
  readonly transport: WorkerTransport;

  constructor(
    readonly opts: ComputeOptions,
    private readonly m: ComputeCoreModules,
  ) {
    this.store = new ComputeStore(computeStoreFile(m.dataDir));
    let metrics: ComputeMetrics | undefined;
    this.pool = new SandboxPool(opts.pool, {
      log: m.log,
      onOutcome: (o) => metrics?.sandboxRun(o),
      onRejected: () => metrics?.rejected.inc(),
      onReplaced: (reason) => metrics?.replaced.inc({ reason }),
    });
    if (m.metrics) metrics = new ComputeMetrics(m.metrics, this.pool);
    this.registry = new FunctionRegistry({ store: this.store, pool: this.pool, dht: m.dht, log: m.log });
    const local = new LocalTransport(this.pool, (hash) => this.registry.local(hash));
    this.transport = m.transport ? m.transport(local) : local;
    this.scheduler = new Scheduler(opts.scheduler, {
      store: this.store,
      transport: this.transport,
      log: m.log,
      metrics,
      reduce: (hash, input, seed) => this.reduce(hash, input, seed),
      reputation:
        m.reputation ??
        ((worker, d) => m.log.warn({ worker, ...d }, "worker disagreed with the accepted result")),
      onEvent: (e) => {
        this.hub.publish(e);
        m.publish?.(e);
      },
    });
  }

  start(): void {
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.pool.stop();
    this.store.close();
  }

  async register(req: z.output<typeof FunctionRegisterRequest>) {
    return functionView(await this.registry.register(req.source, req.limits));
  }

  async getFunction(hash: string) {
    return functionView(await this.registry.get(hash));
  }

  /**
   * Validates, stores and schedules a task; with an Idempotency-Key that made a task before, that
   * task (`replayed`) without checking the request against the node again: the function may be
   * gone or the workers fewer, and the answer is still the first submission's.
   */
  async submit(
    req: z.output<typeof TaskSubmitRequest>,
    idempotencyKey?: string,
  ): Promise<{ task: TaskView; replayed: boolean }> {
    const idem = idempotencyKey === undefined ? undefined : idempotentSubmit(idempotencyKey, req);
    const earlier = idem && earlierTask(this.store, idem);
    const { row, replayed } = earlier
      ? { row: earlier, replayed: true }
      : await submitTask(req, this.registry, this.scheduler, idem && { store: this.store, idem });
    // A replayed task an orphan stored after this process started is not scheduled here yet.
    if (replayed) this.scheduler.adopt(row);
    // Checked again once the task is stored (kit refused the request if it began unwritable): the
    // supervisor may have died while the function was fetched, and an orphan acknowledges
    // nothing. The task is durable; sent again with its Idempotency-Key, it is this task.
    if (!replayed && this.m.writable && !this.m.writable())
      throw new CodedError(
        "NOT_READY",
        `compute stopped being writable before it could acknowledge task ${row.id}; it is stored: send it again with the same Idempotency-Key`,
        { taskId: row.id },
      );
    return { task: this.task({ id: row.id, jobs: false, offset: 0, limit: 1 }), replayed };
  }

  task(q: { id: string } & TaskViewOptions): TaskView {
    return taskView(this.store, this.scheduler, q.id, q);
  }

  tasks(q: { limit: number; status?: TaskStatus }): TaskList {
    return { tasks: taskList(this.store, this.scheduler, q.limit, q.status) };
  }

  workers() {
    const known = new Map(this.store.workers().map((w) => [w.id, w]));
    const trust = this.opts.scheduler.trust;
    const workers = this.transport.workers().map((w) => {
      const r = known.get(w.id) ?? { streak: 0, valid: 0, invalid: 0, errors: 0, distrustedUntil: 0 };
      const trusted = spotCheckProbability({ id: w.id, ...r }, trust) < 1;
      return { id: w.id, slots: w.slots, ...r, trusted };
    });
    return {
      workers,
      sandbox: { ...this.pool.stats, maxThreads: this.pool.opts.threads, maxQueue: this.pool.opts.maxQueue },
    };
  }

  /** The reduce step runs here, in this node's sandbox, under the reduce function's own limits. */
  private async reduce(hash: string, input: string, seed: string | undefined) {
    const fn = await this.registry.get(hash);
    const o = await this.pool.run({
      source: fn.source,
      input,
      seed,
      limits: {
        memoryBytes: fn.limits.memoryBytes,
        budget: fn.limits.budget,
        deadlineMs: fn.limits.timeoutMs,
      },
    });
    return o.ok
      ? { ok: true as const, json: o.json }
      : { ok: false as const, code: o.code, message: o.message };
  }
}
