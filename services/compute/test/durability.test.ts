import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { eventually, freePort, startTestNode, type TestNode, untilReady } from "@p2pnode/kit/testing";
import { TaskView } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
 * Durability: the compute service as a real process (dist/bundle.js, as the supervisor runs it) over
 * a real nats-server, SIGKILLed in the middle of a task. After a restart the task resumes: jobs
 * accepted before the kill keep their results (they are not run again), the rest run, and the
 * result is right. A task acknowledged (202) just before a kill is not lost.
 */

const MAIN = new URL("../dist/bundle.js", import.meta.url).pathname;
let node: TestNode;
let port: number;
let child: ChildProcess | undefined;

async function start(): Promise<void> {
  child = spawn(process.execPath, [MAIN], {
    env: { ...node.env, P2PNODE_COMPUTE_PORT: String(port), P2PNODE_COMPUTE_THREADS: "1" },
    stdio: "ignore",
  });
  await untilReady(`http://127.0.0.1:${port}/ready`, child);
}

async function kill(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once("exit", r));
  c.kill("SIGKILL");
  await gone;
}

async function rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as ApiBody,
    replayed: res.headers.get("idempotent-replayed"),
  };
}

const view = async (id: string) => TaskView.parse((await rest("GET", `/tasks/${id}?jobs=1&limit=1000`)).body);

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new TypeError(`build the compute service first: ${MAIN} is missing`);
  node = await startTestNode("full");
  port = await freePort();
});
afterAll(async () => {
  await kill();
  await node?.stop();
});

describe("compute service durability", () => {
  it("resumes a task after SIGKILL without re-running accepted jobs", async () => {
    await start();
    const source = "(n) => { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return { n, s } }";
    const fn = await rest("POST", "/functions", { source });
    expect(fn.status).toBe(201);
    const inputs = Array.from({ length: 10 }, (_, i) => 400_000 + i);
    const task = await rest("POST", "/tasks", { function: fn.body.hash, inputs });
    expect(task.status).toBe(202);
    const id = task.body.id as string;

    // Kill once some jobs are accepted and others are not.
    const before = await eventually(
      () => view(id),
      (t) => t.jobs.done >= 2,
      1200,
      25,
    );
    await kill();
    expect(before.jobs.done).toBeLessThan(10);
    const acceptedBefore = before.jobList!.filter((j) => j.status === "accepted").map((j) => j.index);

    // A task acknowledged right before the next kill survives it, and a client that lost that
    // answer and sends the submission again with its Idempotency-Key gets the same task.
    await start();
    const lateSubmit = { function: fn.body.hash, inputs: [11, 12] };
    const key = { "idempotency-key": "late-submission" };
    const late = await rest("POST", "/tasks", lateSubmit, key);
    expect(late.status).toBe(202);
    await kill();

    await start();
    const resent = await rest("POST", "/tasks", lateSubmit, key);
    expect(resent).toMatchObject({ status: 202, replayed: "true", body: { id: late.body.id } });
    const done = await eventually(
      () => view(id),
      (t) => t.status !== "running",
      2400,
      50,
    );
    expect(done.status).toBe("done");
    const expected = inputs.map((n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += i % 7;
      return { n, s };
    });
    expect(done.result).toEqual(expected);
    for (const index of acceptedBefore)
      expect(done.jobList![index]!.attempts.filter((a) => a.status === "ok")).toHaveLength(1);

    const lateDone = await eventually(
      () => view(late.body.id),
      (t) => t.status !== "running",
      1200,
      50,
    );
    expect(lateDone).toMatchObject({ status: "done", jobs: { done: 2 } });
  }, 180_000);
});
