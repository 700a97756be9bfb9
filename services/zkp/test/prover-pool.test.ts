import { CodedError } from "@p2pnode/types";
import { afterAll, describe, expect, it } from "vitest";
import { defaultZkpOptions } from "../src/config.js";
import { ProverPool } from "../src/prover-pool.js";

const pool = new ProverPool({ ...defaultZkpOptions, workers: 1, maxQueue: 1, maxTraceRows: 2 ** 12 });
afterAll(() => pool.stop());

const fib = (traceLength: number) => ({
  input: { air: "fibonacci" as const, publicInputs: { traceLength } },
  security: "default" as const,
});

describe("prover pool", () => {
  it("bounds concurrency and the queue, then drains it", async () => {
    const a = pool.submit(fib(1024));
    const b = pool.submit(fib(64));
    expect(pool.stats).toMatchObject({ workers: 1, busy: 1, queued: 1 });
    let err: unknown;
    try {
      pool.submit(fib(64));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).status).toBe(429);
    const [da, db] = await Promise.all([pool.wait(a.jobId), pool.wait(b.jobId)]);
    expect(da.status).toBe("done");
    expect(db.status).toBe("done");
    expect(pool.stats).toMatchObject({ busy: 0, queued: 0 });
  });

  it("fails the job of a crashed worker, replaces the worker and keeps serving", async () => {
    const job = pool.submit(fib(2048));
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    await slots[0]!.worker.terminate();
    const failed = await pool.wait(job.jobId);
    expect(failed).toMatchObject({ status: "failed", error: { code: "INTERNAL" } });
    expect(pool.alive).toBe(true);
    const ok = await pool.wait(pool.submit(fib(64)).jobId);
    expect(ok.status).toBe("done");
  });

  it("refuses oversized traces with 413 without creating a job", () => {
    const before = pool.stats.jobs;
    expect(() => pool.submit(fib(2 ** 13))).toThrow(/exceeds/);
    expect(pool.stats.jobs).toBe(before);
  });
});
