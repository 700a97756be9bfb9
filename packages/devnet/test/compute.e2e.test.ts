import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AttemptView, JobView, TaskView } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { isAlive, readPids, waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { LONG, reportFailures } from "./e2e-helpers.js";

// Distributed compute across a real 5-node devnet: jobs offered to peers through the gateways'
// compute messages, replicas voted on, SIGKILLed compute services, a lying worker, proved jobs.
// P2PNODE_LONG=1 runs larger tasks (README "compute" reports both).
const JOBS = LONG ? 1_000 : 200;
/**
 * Jobs of the SIGKILL tasks: slow ones (4M loop steps each), so the kill lands mid-task. Twenty keep
 * jobs still to run when the kill lands (each test waits for its first answers: 2 and 5 of 30 were
 * done in CI runs, at most a dozen under load); the time after is all loop steps, so more jobs add
 * time, not checks.
 */
const KILL_JOBS = LONG ? 100 : 20;
const dir = mkdtempSync(join(tmpdir(), "p2pnode-compute-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);
const node = (i: number) => state.nodes[i]!;
const compute = (i: number) => serviceUrls(node(i)).compute!;
const gateway = (i: number) => serviceUrls(node(i)).gateway!;

interface Call {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: REST bodies of several routes, checked by the assertions
  body: any;
}
async function call(url: string, method = "GET", body?: unknown, admin = false): Promise<Call> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined && { "content-type": "application/json" }),
      ...(admin && { authorization: `Bearer ${state.apiToken}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
// biome-ignore lint/suspicious/noExplicitAny: REST bodies of several routes, checked by the assertions
async function ok(url: string, method = "GET", body?: unknown, admin = false): Promise<any> {
  const r = await call(url, method, body, admin);
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The reference: the same function in this process (the sandbox must agree with V8 on it). */
const spin = (x: number, n: number) => {
  let s = x;
  for (let i = 0; i < n; i++) s = (s * 31 + i) % 1_000_003;
  return s;
};
const spinSource = (n: number) =>
  `(x) => { let s = x; for (let i = 0; i < ${n}; i++) s = (s * 31 + i) % 1000003; return s; }`;
const inputs = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => i + offset);

async function register(source: string): Promise<string> {
  return (await ok(`${compute(0)}/functions`, "POST", { source })).hash;
}

async function submit(body: Record<string, unknown>): Promise<string> {
  return (await ok(`${compute(0)}/tasks`, "POST", body)).id;
}

/** Polls node0's scheduler until the task ends (it may be restarting: unanswered polls retry). */
async function finished(id: string, timeoutMs = 600_000): Promise<TaskView> {
  let view: TaskView | undefined;
  const done = await waitUntil(
    async () => {
      view = await ok(`${compute(0)}/tasks/${id}`).catch(() => undefined);
      return view !== undefined && view.status !== "running";
    },
    timeoutMs,
    250,
  );
  if (!done || !view) throw new Error(`task ${id} still running: ${JSON.stringify(view?.jobs)}`);
  return view;
}

async function jobList(id: string): Promise<JobView[]> {
  const out: JobView[] = [];
  for (let offset = 0; ; offset += 1000) {
    const v = await ok(`${compute(0)}/tasks/${id}?jobs=1&offset=${offset}&limit=1000`);
    out.push(...v.jobList);
    if (v.jobList.length < 1000) return out;
  }
}

async function nodeIdOf(i: number): Promise<string> {
  return (await ok(`${gateway(i)}/network`)).self;
}

function computePid(n: DevnetNode): number {
  const pid = readPids(n.dataDir)?.services.compute;
  if (pid === undefined) throw new Error(`${n.name}: no compute pid`);
  return pid;
}

/** SIGKILLs a node's compute service; its supervisor starts a new one, which we wait for. */
async function killCompute(i: number): Promise<void> {
  const pid = computePid(node(i));
  process.kill(pid, "SIGKILL");
  expect(await waitUntil(() => !isAlive(pid), 10_000, 50)).toBe(true);
}

async function ready(i: number): Promise<boolean> {
  const r = await call(`${compute(i)}/ready`).catch(() => undefined);
  return r?.status === 200 && r.body?.ready === true;
}

beforeAll(async () => {
  state = await devnet.up({ nodes: 5, miners: 0, portBase: await freePortBase(5) });
  // node0 schedules; every other node must be a connected peer advertising capacity.
  const workers = async () => (await ok(`${compute(0)}/workers`)).workers.length as number;
  const all = await waitUntil(async () => (await workers().catch(() => 0)) >= 5, 180_000, 500);
  expect(all, `node0 sees ${await workers()} workers`).toBe(true);
}, 420_000);
afterAll(() => devnet.down({ wipe: true }), 60_000);

describe("compute on a 5-node devnet", () => {
  it(`runs a task of ${JOBS} jobs on at least three nodes and returns the right aggregate`, async () => {
    const fn = await register(spinSource(1_000));
    const reduce = await register("(xs) => xs.reduce((a, b) => a + b, 0)");
    const t0 = performance.now();
    const id = await submit({ function: fn, inputs: inputs(JOBS), replication: 2, reduce, adaptive: false });
    const view = await finished(id);
    const seconds = (performance.now() - t0) / 1000;
    expect(view.status, JSON.stringify({ error: view.error, jobs: view.jobs })).toBe("done");
    const expected = inputs(JOBS).reduce((a, x) => a + spin(x, 1_000), 0);
    expect(view.result).toBe(expected);
    const jobs = await jobList(id);
    const answeredBy = new Set(
      jobs.flatMap((j) =>
        j.attempts.filter((a: AttemptView) => a.status === "ok").map((a: AttemptView) => a.worker),
      ),
    );
    expect(answeredBy.size).toBeGreaterThanOrEqual(3);
    console.log(
      `compute e2e: ${JOBS} jobs × 2 replicas in ${seconds.toFixed(1)} s (${(JOBS / seconds).toFixed(1)} jobs/s) on ${answeredBy.size} workers`,
    );
    // Every job was accepted by at least two agreeing workers, each with its instructions and time.
    for (const j of jobs) {
      const agreed = j.attempts.filter((a: AttemptView) => a.agreed === true);
      expect(agreed.length).toBeGreaterThanOrEqual(2);
      expect(agreed.every((a: AttemptView) => (a.instructions ?? 0) > 0 && a.ms !== null)).toBe(true);
    }
  }, 900_000);

  it("completes a task when a worker's compute service is SIGKILLed mid-task", async () => {
    const n = 4_000_000;
    const fn = await register(spinSource(n));
    // The killed worker's jobs come back to the scheduler when their deadline passes: 10 s here (a
    // job takes well under a second, ~2 s under load) instead of the function's default 30 s.
    const id = await submit({
      function: fn,
      inputs: inputs(KILL_JOBS),
      replication: 2,
      adaptive: false,
      deadlineMs: 10_000,
    });
    const victim = await nodeIdOf(1);
    // Wait until node1 has answered for this task, then kill its compute service mid-task.
    const busy = await waitUntil(
      async () => {
        const jobs = await jobList(id);
        return jobs.some((j) =>
          j.attempts.some((a: AttemptView) => a.worker === victim && a.status === "ok"),
        );
      },
      300_000,
      200,
    );
    expect(busy).toBe(true);
    const atKill = await ok(`${compute(0)}/tasks/${id}`);
    expect(atKill.status).toBe("running");
    await killCompute(1);
    console.log(
      `compute e2e: worker node1 SIGKILLed with ${atKill.jobs.done}/${atKill.jobs.total} jobs done`,
    );
    const view = await finished(id);
    expect(view.status).toBe("done");
    expect(view.result).toEqual(inputs(KILL_JOBS).map((x) => spin(x, n)));
    expect(await waitUntil(() => ready(1), 120_000, 250)).toBe(true);
  }, 900_000);

  it("resumes a task after the scheduler's compute service is SIGKILLed and restarted", async () => {
    const n = 4_000_000;
    const fn = await register(spinSource(n));
    const id = await submit({
      function: fn,
      inputs: inputs(KILL_JOBS, 7),
      replication: 2,
      adaptive: false,
    });
    expect(
      await waitUntil(async () => (await ok(`${compute(0)}/tasks/${id}`)).jobs.done >= 5, 300_000, 200),
    ).toBe(true);
    const before = (await ok(`${compute(0)}/tasks/${id}`)).jobs;
    expect(before.done).toBeLessThan(before.total);
    await killCompute(0);
    console.log(`compute e2e: scheduler node0 SIGKILLed with ${before.done}/${before.total} jobs done`);
    expect(await waitUntil(() => ready(0), 120_000, 250)).toBe(true);
    const view = await finished(id);
    expect(view.status, JSON.stringify(view.error)).toBe("done");
    expect(view.result).toEqual(inputs(KILL_JOBS, 7).map((x) => spin(x, n)));
  }, 900_000);

  it("outvotes and penalises a lying worker (devnet fault route)", async () => {
    const liar = await nodeIdOf(2);
    const before = (await call(`${gateway(0)}/peers/${liar}/score`)).body?.score ?? 0;
    expect(await ok(`${compute(2)}/admin/debug/fault`, "POST", { lie: true }, true)).toEqual({
      lie: true,
      tamperProofs: false,
    });
    try {
      const fn = await register(spinSource(2_000));
      const id = await submit({ function: fn, inputs: inputs(40, 1_000), replication: 3, adaptive: false });
      const view = await finished(id);
      expect(view.status).toBe("done");
      expect(view.result).toEqual(inputs(40, 1_000).map((x) => spin(x, 2_000)));
      const jobs = await jobList(id);
      const lies = jobs
        .flatMap((j) => j.attempts)
        .filter((a: AttemptView) => a.worker === liar && a.status === "ok");
      expect(lies.length).toBeGreaterThan(0);
      expect(lies.every((a: AttemptView) => a.agreed === false)).toBe(true);
      const record = (await ok(`${compute(0)}/workers`)).workers.find((w: { id: string }) => w.id === liar);
      // Caught once, the liar gets no more jobs: it is either listed as distrusted or dropped.
      if (record) {
        expect(record.invalid).toBeGreaterThan(0);
        expect(record.distrustedUntil).toBeGreaterThan(Date.now());
      }
      const score = await ok(`${gateway(0)}/peers/${liar}/score`);
      expect(score.score).toBeLessThan(before);
      expect(score.events.some((e: { kind: string }) => e.kind === "WRONG_COMPUTE_RESULT")).toBe(true);
    } finally {
      await ok(`${compute(2)}/admin/debug/fault`, "POST", { lie: false }, true);
    }
  }, 900_000);

  it("accepts a proved job from one worker and refuses a tampered proof", async () => {
    const { functions } = await ok(`${compute(0)}/proved-functions`);
    const rescue = functions.find((f: { air: string }) => f.air === "rescue-chain").hash as string;
    const jobInputs = Array.from({ length: 8 }, (_, i) => ({ preimage: [i + 1, 2, 3, 4], hashes: 31 }));
    // The reference digests, proved by node0's own zkp service.
    const expected = await Promise.all(
      jobInputs.map(async (x) => {
        const r = await ok(`${serviceUrls(node(0)).zkp}/proofs`, "POST", {
          air: "rescue-chain",
          publicInputs: { hashes: x.hashes },
          privateInputs: { preimage: x.preimage },
        });
        return r.result.statement.publicInputs.digest as number[];
      }),
    );
    const honest = await finished(await submit({ function: rescue, inputs: jobInputs }));
    expect(honest.status, JSON.stringify(honest.error)).toBe("done");
    expect(honest.result).toEqual(expected);
    for (const j of await jobList(honest.id)) {
      const okAttempts = j.attempts.filter((a: AttemptView) => a.status === "ok");
      expect(okAttempts).toHaveLength(1);
      expect(j.agreement.needed).toBe(1);
    }

    // Every peer tampers with its proofs: only node0's own worker can give an accepted answer.
    const peers = [1, 2, 3, 4];
    for (const i of peers) await ok(`${compute(i)}/admin/debug/fault`, "POST", { tamperProofs: true }, true);
    try {
      const view = await finished(await submit({ function: rescue, inputs: jobInputs }));
      expect(view.status, JSON.stringify(view.error)).toBe("done");
      expect(view.result).toEqual(expected);
      const attempts = (await jobList(view.id)).flatMap((j) => j.attempts);
      const refused = attempts.filter((a: AttemptView) => a.error?.code === "PROOF_INVALID");
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((a: AttemptView) => a.worker !== "local")).toBe(true);
      expect(
        attempts
          .filter((a: AttemptView) => a.status === "ok")
          .every((a: AttemptView) => a.worker === "local"),
      ).toBe(true);
    } finally {
      for (const i of peers)
        await ok(`${compute(i)}/admin/debug/fault`, "POST", { tamperProofs: false }, true);
    }
  }, 900_000);

  it("refuses bad input with typed errors and never hangs", async () => {
    const syntax = await call(`${compute(0)}/functions`, "POST", { source: "(x) => {" });
    expect([syntax.status, syntax.body.error.code]).toEqual([400, "SYNTAX_ERROR"]);
    const big = await call(`${compute(0)}/functions`, "POST", {
      source: `(x) => x // ${"a".repeat(49 * 1024)}`,
    });
    expect([big.status, big.body.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const fn = await register("(x) => x");
    const bigInput = await call(`${compute(0)}/tasks`, "POST", {
      function: fn,
      inputs: ["a".repeat(65 * 1024)],
    });
    expect(bigInput.status).toBe(413);
    const unknown = await call(`${compute(0)}/tasks`, "POST", { function: "ab".repeat(32), inputs: [1] });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "UNKNOWN_FUNCTION"]);
    const tooMany = await call(`${compute(0)}/tasks`, "POST", { function: fn, inputs: [1], replication: 16 });
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, "INSUFFICIENT_WORKERS"]);
    expect(tooMany.body.error.details.available).toBeGreaterThanOrEqual(1);
    expect(tooMany.body.error.details.available).toBeLessThan(16);
  }, 120_000);
});
