import { createLogger } from "@p2pnode/kit";
import { afterEach, describe, expect, it } from "vitest";
import { defaultSchedulerOptions, Scheduler } from "../src/scheduler/scheduler.js";
import type { AttemptResult, JobSpec, WorkerInfo, WorkerTransport } from "../src/scheduler/transport.js";
import { ComputeStore } from "../src/store.js";
import { truth } from "./helpers.js";

/*
 * A worker that fails every job at once (a peer sending bad proofs, a broken compute service)
 * next to one honest worker with a single slot: the failing worker must not use up a job's
 * attempts while the honest one is busy; every job waits for the honest worker and succeeds.
 */

class FastFailingPeer implements WorkerTransport {
  readonly runs = new Map<string, number>();
  private queue = Promise.resolve();

  workers(): readonly WorkerInfo[] {
    return [
      { id: "honest", slots: 1, self: true },
      { id: "failing", slots: 4 },
    ];
  }

  async run(worker: string, job: JobSpec): Promise<AttemptResult> {
    this.runs.set(worker, (this.runs.get(worker) ?? 0) + 1);
    if (worker === "failing") return { kind: "failed", code: "PROOF_INVALID", message: "bad proof" };
    // The honest worker is slow: one job at a time, a few event-loop turns each.
    const done = this.queue.then(() => new Promise<void>((r) => setTimeout(r, 5)));
    this.queue = done;
    await done;
    return { kind: "result", outcome: truth(job), instructions: 1, ms: 5 };
  }

  onChange(): () => void {
    return () => undefined;
  }
}

let store: ComputeStore | undefined;
let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  store?.close();
});

describe("a worker that fails fast", () => {
  it("does not exhaust a job's attempts while the honest worker is busy", async () => {
    store = new ComputeStore(":memory:");
    const transport = new FastFailingPeer();
    let ended: string | undefined;
    scheduler = new Scheduler(
      { ...defaultSchedulerOptions, attemptGraceMs: 30_000 },
      {
        store,
        transport,
        log: createLogger("test", "silent"),
        random: () => 0.99, // the failing worker is drawn first whenever it is free
        reduce: async () => ({ ok: false, code: "INTERNAL", message: "no reduce" }),
        reputation: () => undefined,
        onEvent: (e) => {
          if (e.type === "done" || e.type === "failed") ended = e.type;
        },
      },
    );
    scheduler.start();
    const inputs = Array.from({ length: 12 }, (_, i) => JSON.stringify(i));
    const task = scheduler.submit(
      {
        functionHash: "00".repeat(32),
        reduceHash: null,
        replication: 1,
        quorum: 1,
        deadlineMs: 1_000,
        budget: 1e6,
        seed: null,
        adaptive: false,
        jobsTotal: inputs.length,
      },
      inputs,
    );
    while (ended === undefined) await new Promise((r) => setTimeout(r, 10));
    expect(store.getTask(task.id)?.status).toBe("done");
    expect(transport.runs.get("honest")).toBe(12);
    // Each job failed at most once on the failing worker before waiting for the honest one.
    expect(transport.runs.get("failing") ?? 0).toBeLessThanOrEqual(12);
  });
});
