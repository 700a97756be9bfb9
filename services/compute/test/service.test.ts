import { createHash, randomUUID } from "node:crypto";
import { encodeFunction } from "@p2pnode/codec";
import { Bus, createLogger } from "@p2pnode/kit";
import { eventually, serviceRuntimeSuite } from "@p2pnode/kit/testing";
import {
  CodedError,
  ComputeRelaySubjects,
  ComputeSubjects,
  DhtSubjects,
  TaskList,
  TaskSubmitRequest,
  TaskView,
} from "@p2pnode/types";
import { beforeAll, describe, expect, it } from "vitest";
import { createComputeService } from "../src/api.js";
import { defaultComputeOptions } from "../src/config.js";
import { computeStoreFile } from "../src/core.js";
import { idempotentSubmit } from "../src/idempotency.js";
import { ComputeStore, newTask } from "../src/store.js";

/** The fields these tests read from replies (each route's schema is checked elsewhere). */
interface ApiBody {
  hash: string;
  id: string;
  dhtReplicas: number;
  jobs: { total: number };
  error?: { code: string };
  [field: string]: unknown;
}
/*
 * The compute service in-process on a real nats-server and a real SQLite file, with a stand-in
 * DHT (dht.v1.value.put/get answered from memory, content-addressed like the real one).
 */

const service = createComputeService({
  ...defaultComputeOptions,
  pool: { ...defaultComputeOptions.pool, threads: 2, graceMs: 500 },
});
const suite = serviceRuntimeSuite(service);
const dht = new Map<string, string>();
let bus: Bus;

beforeAll(async () => {
  const node = suite.node();
  bus = await Bus.connect({
    url: node.nats.url,
    token: node.nats.token,
    name: "fake-dht",
    version: "0.0.0",
    log: createLogger("test", "silent"),
  });
  await bus.serve(DhtSubjects.valuePut, (req) => {
    const key = createHash("sha256").update(Buffer.from(req.value, "base64")).digest("hex");
    dht.set(key, req.value);
    return { key, replicas: 3 };
  });
  await bus.serve(DhtSubjects.valueGet, (req) => {
    const value = dht.get(req.key);
    if (!value) throw new CodedError("NOT_FOUND", "nobody holds it");
    return { key: req.key, kind: "content" as const, value, source: "network" as const };
  });
});

const call = async (method: string, url: string, body?: unknown) => {
  const res = await suite.svc().ctx.app.inject({ method: method as "GET", url, payload: body as object });
  return { status: res.statusCode, body: res.json() as ApiBody };
};
const register = (source: string, limits?: object) => call("POST", "/functions", { source, limits });
const waitDone = (id: string) =>
  eventually(
    async () => TaskView.parse((await call("GET", `/tasks/${id}`)).body),
    (t) => t.status !== "running",
    600,
    50,
  );

describe("functions", () => {
  it("registers a function: content hash, stored, published to the DHT and verifiable by hash", async () => {
    const r = await register("(x) => x * 2");
    expect(r.status).toBe(201);
    expect(r.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.dhtReplicas).toBe(3);
    const stored = Buffer.from(dht.get(r.body.hash)!, "base64");
    expect(createHash("sha256").update(stored).digest("hex")).toBe(r.body.hash);
    expect((await register("(x) => x * 2")).body.hash).toBe(r.body.hash);
    expect((await call("GET", `/functions/${r.body.hash}`)).body).toMatchObject({ source: "(x) => x * 2" });
  });

  it("refuses a syntax error (400), a non-function (400) and an oversize source (413)", async () => {
    expect(await register("(x) => {")).toMatchObject({
      status: 400,
      body: { error: { code: "SYNTAX_ERROR" } },
    });
    expect(await register("42")).toMatchObject({ status: 400, body: { error: { code: "NOT_A_FUNCTION" } } });
    const big = `(x) => x /* ${"a".repeat(50 * 1024)} */`;
    expect(await register(big)).toMatchObject({
      status: 413,
      body: { error: { code: "PAYLOAD_TOO_LARGE" } },
    });
  });

  it("fetches a function it never saw from the DHT, checks its hash, refuses tampered bytes", async () => {
    // Another node's function: only the DHT has it.
    const limits = { memoryBytes: 8 << 20, budget: 1e6, timeoutMs: 1_000 };
    const bytes = encodeFunction({ source: "(x) => x + 1000", limits });
    const hash = createHash("sha256").update(bytes).digest("hex");
    dht.set(hash, Buffer.from(bytes).toString("base64"));
    expect(await call("GET", `/functions/${hash}`)).toMatchObject({
      status: 200,
      body: { hash, source: "(x) => x + 1000", limits },
    });
    // A DHT answering bytes that are not the key's.
    const unknown = "ab".repeat(32);
    dht.set(unknown, dht.get(hash)!);
    expect(await call("GET", `/functions/${unknown}`)).toMatchObject({
      status: 502,
      body: { error: { code: "HASH_MISMATCH" } },
    });
    expect(await call("GET", `/functions/${"cd".repeat(32)}`)).toMatchObject({
      status: 404,
      body: { error: { code: "UNKNOWN_FUNCTION" } },
    });
  });
});

describe("tasks", () => {
  let double: string;
  let sum: string;
  beforeAll(async () => {
    double = (await register("(x) => ({ n: x, doubled: x * 2 })")).body.hash;
    sum = (await register("(rs) => rs.reduce((a, r) => a + r.doubled, 0)")).body.hash;
  });

  it("runs one job per input, reduces the results, shows progress per job", async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => i);
    const sub = await call("POST", "/tasks", { function: double, inputs, reduce: sum });
    expect(sub.status).toBe(202);
    expect(sub.body.jobs.total).toBe(12);
    const done = await waitDone(sub.body.id);
    expect(done).toMatchObject({ status: "done", result: 132, jobs: { total: 12, done: 12, failed: 0 } });
    expect(done.resultHash).toMatch(/^[0-9a-f]{64}$/);
    const detail = TaskView.parse((await call("GET", `/tasks/${sub.body.id}?jobs=1&limit=3`)).body);
    expect(detail.jobList).toHaveLength(3);
    expect(detail.jobList![1]).toMatchObject({
      status: "accepted",
      result: { n: 1, doubled: 2 },
      agreement: { votes: 1, needed: 1 },
      attempts: [{ worker: "local", status: "ok", agreed: true }],
    });
    expect(detail.jobList![1]!.attempts[0]!.instructions).toBeGreaterThan(0);
  });

  it("without reduce: the ordered list of results", async () => {
    const sub = await call("POST", "/tasks", { function: double, inputs: [3, 1, 2] });
    expect((await waitDone(sub.body.id)).result).toEqual([
      { n: 3, doubled: 6 },
      { n: 1, doubled: 2 },
      { n: 2, doubled: 4 },
    ]);
  });

  it("streams progress as server-sent events until the task ends", async () => {
    const slow = (await register("(n) => { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s }"))
      .body.hash;
    const sub = await call("POST", "/tasks", { function: slow, inputs: Array(8).fill(300_000) });
    const res = await fetch(`${suite.svc().url}/tasks/${sub.body.id}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text(); // the server ends the stream after the final event
    const events = text
      .split("\n\n")
      .filter((b) => b.startsWith("event:"))
      .map((b) => JSON.parse(b.split("\ndata: ")[1]!) as { type: string; jobs: { done: number } });
    expect(events[0]!.type).toBe("snapshot");
    expect(events.at(-1)).toMatchObject({ type: "done", jobs: { total: 8, done: 8 } });
    const dones = events.map((e) => e.jobs.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
  });

  it("a hostile function fails its task with a typed error; the service keeps working", async () => {
    const spin = (await register("() => { for (;;) {} }", { budget: 1_000_000 })).body.hash;
    const bad = await call("POST", "/tasks", { function: spin, inputs: [1, 2, 3] });
    const failed = await waitDone(bad.body.id);
    expect(failed).toMatchObject({ status: "failed", error: { code: "BUDGET_EXCEEDED" } });
    const ok = await call("POST", "/tasks", { function: double, inputs: [5] });
    expect((await waitDone(ok.body.id)).result).toEqual([{ n: 5, doubled: 10 }]);
  });

  it("refuses bad tasks with typed 4xx: unknown function, too much replication, oversize input, limits", async () => {
    expect(await call("POST", "/tasks", { function: "ef".repeat(32), inputs: [1] })).toMatchObject({
      status: 404,
      body: { error: { code: "UNKNOWN_FUNCTION" } },
    });
    expect(await call("POST", "/tasks", { function: double, inputs: [1], replication: 2 })).toMatchObject({
      status: 400,
      body: { error: { code: "INSUFFICIENT_WORKERS", details: { replication: 2, available: 1 } } },
    });
    expect(await call("POST", "/tasks", { function: double, inputs: [1, "x".repeat(70_000)] })).toMatchObject(
      {
        status: 413,
        body: { error: { code: "PAYLOAD_TOO_LARGE", details: { index: 1 } } },
      },
    );
    expect(
      await call("POST", "/tasks", { function: double, inputs: [1], deadlineMs: 10_000_000 }),
    ).toMatchObject({
      status: 400,
    });
    expect(
      await call("POST", "/tasks", { function: double, inputs: [1], deadlineMs: 599_000 }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: "LIMIT_EXCEEDS_FUNCTION" } },
    });
    expect(await call("POST", "/tasks", { function: double, inputs: [] })).toMatchObject({ status: 400 });
    expect((await call("GET", "/tasks/nope")).status).toBe(404);
  });

  it("serves the same operations over NATS and publishes progress events", async () => {
    const seen: string[] = [];
    bus.subscribe(ComputeSubjects.taskProgress, (e) => {
      seen.push(`${e.taskId}:${e.type}`);
    });
    const task = await bus.request(ComputeSubjects.taskSubmit, { function: double, inputs: [7, 8] });
    const done = await eventually(
      () => bus.request(ComputeSubjects.taskGet, { id: task.id }),
      (t) => t.status === "done",
      600,
      50,
    );
    expect(done.result).toEqual([
      { n: 7, doubled: 14 },
      { n: 8, doubled: 16 },
    ]);
    await eventually(
      () => seen,
      (s) => s.includes(`${task.id}:done`),
    );
  });

  describe("with an Idempotency-Key", () => {
    const submit = async (key: string | undefined, body: unknown) => {
      const res = await suite.svc().ctx.app.inject({
        method: "POST",
        url: "/tasks",
        payload: body as object,
        headers: key === undefined ? {} : { "idempotency-key": key },
      });
      return {
        status: res.statusCode,
        body: res.json() as ApiBody,
        replayed: res.headers["idempotent-replayed"],
      };
    };
    const newest = async () => TaskList.parse((await call("GET", "/tasks?limit=1")).body).tasks[0]?.id;

    it("the same request sent again returns the first task, marked replayed, and makes no second task", async () => {
      const key = `retry-${Date.now()}`;
      const first = await submit(key, { function: double, inputs: [4, 5] });
      expect(first).toMatchObject({ status: 202, replayed: undefined });
      expect(await newest()).toBe(first.body.id);
      const again = await submit(key, { function: double, inputs: [4, 5] });
      expect(again.status).toBe(202);
      expect(again.replayed).toBe("true");
      expect(again.body.id).toBe(first.body.id);
      expect(await newest()).toBe(first.body.id); // no task after it
      expect((await waitDone(first.body.id)).result).toEqual([
        { n: 4, doubled: 8 },
        { n: 5, doubled: 10 },
      ]);
      // Without a key, the same request is a new task each time.
      const a = await submit(undefined, { function: double, inputs: [4, 5] });
      const b = await submit(undefined, { function: double, inputs: [4, 5] });
      expect(new Set([first.body.id, a.body.id, b.body.id]).size).toBe(3);
    });

    it("two submissions with one key at once make one task", async () => {
      // A function only the DHT holds: each submission waits on a NATS fetch before its insert,
      // so the second has passed the first check when the first stores its task.
      const bytes = encodeFunction({
        source: `(x) => x + ${Date.now()}`,
        limits: { memoryBytes: 8 << 20, budget: 1e6, timeoutMs: 1_000 },
      });
      const fn = createHash("sha256").update(bytes).digest("hex");
      dht.set(fn, Buffer.from(bytes).toString("base64"));
      const key = `race-${Date.now()}`;
      const both = await Promise.all([
        submit(key, { function: fn, inputs: [1, 2, 3] }),
        submit(key, { function: fn, inputs: [1, 2, 3] }),
      ]);
      expect(both.map((r) => r.status)).toEqual([202, 202]);
      expect(both[0]!.body.id).toBe(both[1]!.body.id);
      expect(both.filter((r) => r.replayed === "true")).toHaveLength(1);
    });

    it("the key with another request: 422 IDEMPOTENCY_KEY_REUSED naming the first task", async () => {
      const key = `reuse-${Date.now()}`;
      const first = await submit(key, { function: double, inputs: [1] });
      const other = await submit(key, { function: double, inputs: [2] });
      expect(other.status).toBe(422);
      expect(other.body.error).toMatchObject({
        code: "IDEMPOTENCY_KEY_REUSED",
        details: { taskId: first.body.id },
      });
    });

    it("over NATS as a header of the same name: one task, the same key space as POST /tasks", async () => {
      const key = `nats-${Date.now()}`;
      const viaNats = (body: unknown, k = key) =>
        bus.request(ComputeSubjects.taskSubmit, body as TaskSubmitRequest, 5_000, {
          headers: { "Idempotency-Key": k },
        });
      const first = await viaNats({ function: double, inputs: [6] });
      const again = await viaNats({ function: double, inputs: [6] });
      expect(again.id).toBe(first.id);
      expect(await newest()).toBe(first.id);
      const rest = await submit(key, { function: double, inputs: [6] });
      expect(rest).toMatchObject({ status: 202, replayed: "true", body: { id: first.id } });
      await expect(viaNats({ function: double, inputs: [7] })).rejects.toMatchObject({
        code: "IDEMPOTENCY_KEY_REUSED",
        details: { taskId: first.id },
      });
      for (const bad of ["", "with space", "x".repeat(256)])
        await expect(
          viaNats({ function: double, inputs: [6] }, bad),
          JSON.stringify(bad),
        ).rejects.toMatchObject({
          code: "VALIDATION_FAILED",
        });
      expect(await newest()).toBe(first.id); // nothing refused made a task
    });

    it("a replay schedules a task an orphaned process stored after this one started", async () => {
      // The orphan: another connection to the same file storing a task with its key, as an old
      // process of the service would while its supervisor is gone and its answer a 503.
      const key = `orphan-${Date.now()}`;
      const body = { function: double, inputs: [21, 22] };
      const orphan = new ComputeStore(computeStoreFile(suite.node().dataDir));
      const fn = orphan.getFunction(double)!;
      const id = randomUUID();
      orphan.insertTask(
        newTask(
          {
            functionHash: double,
            reduceHash: null,
            replication: 1,
            quorum: 1,
            deadlineMs: fn.limits.timeoutMs,
            budget: fn.limits.budget,
            seed: null,
            adaptive: true,
            jobsTotal: 2,
          },
          id,
          Date.now(),
        ),
        ["21", "22"],
        idempotentSubmit(key, TaskSubmitRequest.parse(body)),
      );
      orphan.close();
      expect(await submit(key, body)).toMatchObject({ status: 202, replayed: "true", body: { id } });
      const done = await waitDone(id);
      expect(done.result).toEqual([
        { n: 21, doubled: 42 },
        { n: 22, doubled: 44 },
      ]);
      // Adopted once: a replay of a task this process knows, or that ended, runs nothing again.
      expect(done.attempts.total).toBe(2);
      expect(await submit(key, body)).toMatchObject({ status: 202, replayed: "true", body: { id } });
      expect(TaskView.parse((await call("GET", `/tasks/${id}`)).body).attempts.total).toBe(2);
    });

    it("refuses a key that is empty, too long or not visible ASCII with 400", async () => {
      for (const bad of ["", "x".repeat(256), "with space", "naïve"]) {
        const res = await submit(bad, { function: double, inputs: [1] });
        expect(res.status, JSON.stringify(bad)).toBe(400);
      }
    });
  });

  it("lists its newest tasks with progress and the workers they ran on (REST and NATS)", async () => {
    const sub = await call("POST", "/tasks", { function: double, inputs: [1, 2, 3, 4] });
    await waitDone(sub.body.id);
    const list = TaskList.parse((await call("GET", "/tasks?limit=2")).body);
    expect(list.tasks).toHaveLength(2);
    expect(list.tasks[0]).toMatchObject({
      id: sub.body.id,
      status: "done",
      jobs: { total: 4, done: 4 },
      workers: [{ id: "local", attempts: 4, running: 0, ok: 4 }],
    });
    expect(list.tasks[0]).not.toHaveProperty("result");
    expect(list.tasks[1]!.createdAt).toBeLessThanOrEqual(list.tasks[0]!.createdAt);
    const failedOnly = await bus.request(ComputeSubjects.taskList, { status: "failed", limit: 50 });
    expect(failedOnly.tasks.every((t) => t.status === "failed")).toBe(true);
    expect((await call("GET", "/tasks?limit=51")).status).toBe(400);
    expect((await call("GET", "/tasks?status=lost")).status).toBe(400);
  });

  it("lists its workers with their trust record and the sandbox pool", async () => {
    const w = await call("GET", "/workers");
    expect(w.status).toBe(200);
    expect(w.body.workers).toEqual([
      expect.objectContaining({ id: "local", slots: 4, invalid: 0, trusted: false }),
    ]);
    expect(w.body.sandbox).toMatchObject({ maxThreads: 2, maxQueue: 64 });
  });

  it("exports Prometheus metrics of jobs and sandbox time", async () => {
    const text = (await suite.svc().ctx.app.inject({ url: "/metrics" })).body;
    expect(text).toMatch(/compute_jobs_total\{status="accepted",service="compute"\} [1-9]/);
    expect(text).toMatch(/compute_sandbox_runs_total\{outcome="BUDGET_EXCEEDED",service="compute"\} [1-9]/);
    expect(text).toMatch(/compute_sandbox_seconds_total\{service="compute"\} [0-9.]+/);
    expect(text).toMatch(/compute_jobs_retried_total\{service="compute"\} [0-9]+/);
    expect(text).toMatch(/compute_disagreements_total\{service="compute"\} [0-9]+/);
    expect(text).toMatch(/compute_jobs_rejected_total\{service="compute"\} [0-9]+/);
  });

  it("runs a job a peer offered in its sandbox and refuses function bytes that do not hash", async () => {
    const limits = { memoryBytes: 16 * 1024 * 1024, budget: 1_000_000, timeoutMs: 5_000 };
    const fn = encodeFunction({ source: "(x) => x.a + 1", limits });
    const job = {
      functionHash: createHash("sha256").update(fn).digest("hex"),
      fn: Buffer.from(fn).toString("base64"),
      input: '{"a":41}',
      limits: { memoryBytes: limits.memoryBytes, budget: 1_000_000, deadlineMs: 5_000 },
    };
    const from = "ab".repeat(32);
    const r = await bus.request(ComputeRelaySubjects.jobRun, { from, job });
    expect(r).toMatchObject({ kind: "result", ok: true, json: "42" });
    if (r.kind === "result") expect(r.instructions).toBeGreaterThanOrEqual(0);
    await expect(
      bus.request(ComputeRelaySubjects.jobRun, { from, job: { ...job, functionHash: "cd".repeat(32) } }),
    ).rejects.toMatchObject({ code: "HASH_MISMATCH" });
    const text = (await suite.svc().ctx.app.inject({ url: "/metrics" })).body;
    expect(text).toMatch(/compute_peer_jobs_total\{result="result",service="compute"\} 1/);
    expect(text).toMatch(/compute_peer_jobs_total\{result="HASH_MISMATCH",service="compute"\} 1/);
  });

  it("announces its job slots to the gateway", async () => {
    let slots = -1;
    bus.subscribe(ComputeRelaySubjects.capacityAnnounce, (e) => {
      slots = e.slots;
    });
    await eventually(
      () => slots,
      (s) => s === 4,
    );
  });

  it("names its proved functions and checks a proved task's inputs", async () => {
    const list = await call("GET", "/proved-functions");
    const rescue = (list.body.functions as { air: string; hash: string }[]).find(
      (f) => f.air === "rescue-chain",
    );
    expect(rescue?.hash).toMatch(/^[0-9a-f]{64}$/);
    const bad = await call("POST", "/tasks", {
      function: rescue?.hash,
      inputs: [{ preimage: [1, 2], hashes: 3 }],
    });
    expect([bad.status, bad.body.error?.code]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("refuses fault injection outside a devnet", async () => {
    const res = await suite.svc().ctx.app.inject({
      method: "POST",
      url: "/admin/debug/fault",
      headers: { authorization: "Bearer test-admin-token-0123456789" },
      payload: { lie: true },
    });
    expect([res.statusCode, res.json().error.code]).toEqual([403, "FORBIDDEN"]);
  });
});
