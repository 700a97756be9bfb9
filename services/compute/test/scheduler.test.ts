import { afterEach, describe, expect, it } from "vitest";
import { ComputeStore, newTask } from "../src/store.js";
import { type SimRig, simRig, simWorkers, truth } from "./helpers.js";

/* The scheduler's rules, one at a time, over simulated workers (real SQLite, in memory). */

let rig: SimRig | undefined;
afterEach(async () => {
  await rig?.scheduler.stop();
  rig?.store.close();
  rig = undefined;
});

const expected = (xs: number[]) =>
  xs.map((x) => {
    const o = truth({ input: JSON.stringify(x) });
    return JSON.parse(o.ok ? o.json : "null");
  });

describe("scheduler", () => {
  it("runs each job on `replication` distinct workers and returns the ordered results", async () => {
    rig = simRig(simWorkers({ honest: 4 }), 1);
    const task = rig.submit([1, 2, 3, 4, 5], { replication: 3, quorum: 3, adaptive: false });
    await rig.settled([task.id]);
    const row = rig.store.getTask(task.id)!;
    expect(row.status).toBe("done");
    expect(JSON.parse(row.result!)).toEqual(expected([1, 2, 3, 4, 5]));
    for (let i = 0; i < 5; i++) {
      const workers = rig.store
        .attempts(task.id, i)
        .filter((a) => a.status === "ok")
        .map((a) => a.worker);
      // Newcomers' answers need a larger lead until they are experienced (probation).
      expect(workers.length).toBeGreaterThanOrEqual(3);
      expect(new Set(workers).size).toBe(workers.length);
    }
  });

  it("outvotes a liar: more replicas until one answer leads, the liar is reported and gets no more jobs", async () => {
    rig = simRig(simWorkers({ honest: 4, liar: 1 }), 2);
    const task = rig.submit([7, 8, 9, 10, 11, 12], { replication: 3, quorum: 2, adaptive: false });
    await rig.settled([task.id]);
    expect(rig.store.getTask(task.id)!.status).toBe("done");
    expect(JSON.parse(rig.store.getTask(task.id)!.result!)).toEqual(expected([7, 8, 9, 10, 11, 12]));
    const liarAttempts = rig.store.attempts(task.id).filter((a) => a.worker === "liar-0");
    expect(liarAttempts.length).toBeGreaterThan(0);
    for (const a of liarAttempts) expect(a.agreed).toBe(false);
    expect(rig.reports.map((r) => r.worker)).toContain("liar-0");
    expect(rig.store.workers().find((w) => w.id === "liar-0")!.distrustedUntil).toBeGreaterThan(
      rig.clock.now(),
    );
    // Caught once, it gets nothing more from this scheduler.
    const next = rig.submit([1, 2, 3], { replication: 3, quorum: 2, adaptive: false });
    await rig.settled([next.id]);
    expect(rig.store.attempts(next.id).some((a) => a.worker === "liar-0")).toBe(false);
  });

  it("retries an attempt that times out on another worker", async () => {
    rig = simRig(simWorkers({ flaky: 2, honest: 2 }), 3, {}, 1);
    const task = rig.submit([1, 2, 3, 4], { replication: 1, quorum: 1, adaptive: false });
    await rig.settled([task.id]);
    expect(rig.store.getTask(task.id)!.status).toBe("done");
    const attempts = rig.store.attempts(task.id);
    const timeouts = attempts.filter((a) => a.status === "timeout");
    expect(timeouts.length).toBeGreaterThan(0);
    for (const a of timeouts) expect(a.worker).toMatch(/^flaky/);
    expect(rig.store.attemptCounts(task.id).retried).toBe(timeouts.length);
  });

  it("refuses replication larger than the workers available, at submit (no hang)", () => {
    rig = simRig(simWorkers({ honest: 2 }), 4);
    expect(() => rig!.submit([1], { replication: 3, quorum: 3 })).toThrow(
      expect.objectContaining({ code: "INSUFFICIENT_WORKERS", status: 400 }),
    );
  });

  it("fails a job fast when no worker is left to break a tie", async () => {
    rig = simRig(simWorkers({ honest: 1, liar: 1 }), 5);
    const task = rig.submit([1], { replication: 2, quorum: 2, adaptive: false });
    await rig.settled([task.id]);
    expect(rig.store.getTask(task.id)).toMatchObject({
      status: "failed",
      error: { code: "INSUFFICIENT_WORKERS" },
    });
  });

  it("adaptive replication: workers with a long agreeing streak run jobs alone, spot-checked", async () => {
    rig = simRig(simWorkers({ honest: 5 }), 6);
    const inputs = Array.from({ length: 300 }, (_, i) => i);
    const task = rig.submit(inputs, { replication: 3, quorum: 3, adaptive: true });
    await rig.settled([task.id]);
    expect(JSON.parse(rig.store.getTask(task.id)!.result!)).toEqual(expected(inputs));
    const runs = rig.transport.totalRuns;
    expect(runs).toBeLessThan(inputs.length * 2); // without adaptive replication: 3 × 300
    const attempts = rig.store.attempts(task.id);
    expect(attempts.some((a) => a.spotCheck)).toBe(true);
    for (const w of rig.store.workers()) expect(w.streak).toBeGreaterThanOrEqual(10);
  });

  it("resumes a task after a restart even when its jobs were refused many times (busy workers)", async () => {
    const store = new ComputeStore(":memory:");
    const task = newTask(
      {
        functionHash: "00".repeat(32),
        reduceHash: null,
        replication: 2,
        quorum: 2,
        deadlineMs: 50,
        budget: 1e6,
        seed: null,
        adaptive: false,
        jobsTotal: 2,
      },
      "resumed-task",
      Date.now(),
    );
    store.insertTask(task, ["1", "2"]);
    // What a scheduler killed mid-task leaves: many QUEUE_FULL refusals and a cancelled attempt.
    const attempt = (status: "refused" | "lost", worker: string) =>
      store.insertAttempt({
        taskId: task.id,
        jobIndex: 0,
        worker,
        status,
        resultHash: null,
        outcome: null,
        error: { code: status === "refused" ? "QUEUE_FULL" : "CANCELLED", message: "before the restart" },
        instructions: null,
        ms: null,
        spotCheck: false,
        agreed: null,
        finishedAt: Date.now(),
      });
    for (let i = 0; i < 40; i++) attempt("refused", `honest-${i % 3}`);
    attempt("lost", "honest-0");
    rig = simRig(simWorkers({ honest: 3 }), 5, {}, 0.3, store);
    await rig.settled([task.id]);
    const after = store.getTask(task.id)!;
    expect(after.error).toBeNull();
    expect(after.status).toBe("done");
    expect(JSON.parse(after.result!)).toEqual(expected([1, 2]));
  });
});
