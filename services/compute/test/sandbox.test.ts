import { createLogger } from "@p2pnode/kit";
import { afterAll, describe, expect, it } from "vitest";
import type { SandboxLimits, SandboxOutcome } from "../src/sandbox/sandbox.js";
import { SandboxPool } from "../src/sandbox/sandbox-pool.js";

/*
 * The sandbox as the service runs it: QuickJS in WebAssembly in worker threads. Every hostile
 * function ends in its typed error, a thread that has to be killed is replaced, and the other
 * jobs are not disturbed.
 */

const pool = new SandboxPool(
  { threads: 2, maxQueue: 8, graceMs: 300, stackSizeMb: 32, recycleAfterJobs: 1000 },
  { log: createLogger("test", "silent") },
);
afterAll(() => pool.stop());

const limits: SandboxLimits = { memoryBytes: 32 * 1024 * 1024, budget: 50_000_000, deadlineMs: 20_000 };
const run = (source: string, input: unknown = null, over: Partial<SandboxLimits> = {}, seed?: string) =>
  pool.run({ source, input: JSON.stringify(input), limits: { ...limits, ...over }, seed });

function expectError(o: SandboxOutcome, code: string, message?: RegExp) {
  expect(o.ok ? { ok: true, json: o.json } : { code: o.code, message: o.message }).toMatchObject({ code });
  if (!o.ok && message) expect(o.message).toMatch(message);
}

describe("sandbox results", () => {
  it("returns the canonical JSON of the value and the instructions used", async () => {
    const o = await run("(x) => ({ z: x.n * 2, a: [1, 'two', null], m: { y: true, b: 0.5 } })", { n: 21 });
    expect(o).toMatchObject({ ok: true, json: '{"a":[1,"two",null],"m":{"b":0.5,"y":true},"z":42}' });
    const loop = await run("(n) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s }", 200_000);
    expect(loop).toMatchObject({ ok: true, json: "19999900000" });
    expect(loop.instructions).toBeGreaterThan(100_000);
  });

  it("waits for an async function's promise inside the VM", async () => {
    expect(await run("async (x) => { await null; return x + 1 }", 1)).toMatchObject({ ok: true, json: "2" });
    expectError(
      await run("async () => { throw new RangeError('late') }"),
      "FUNCTION_ERROR",
      /RangeError: late/,
    );
    expectError(await run("() => new Promise(() => {})"), "FUNCTION_ERROR", /never settles/);
  });

  it("is deterministic: no Date, Math.random only when seeded, same seed same numbers", async () => {
    expectError(await run("() => Date.now()"), "FUNCTION_ERROR", /'Date' is not defined/);
    expectError(await run("() => Math.random()"), "FUNCTION_ERROR", /no seed|seed/);
    const src = "() => [Math.random(), Math.random(), Math.random()]";
    const a = await run(src, null, {}, "00112233445566778899aabbccddeeff");
    const b = await run(src, null, {}, "00112233445566778899aabbccddeeff");
    const c = await run(src, null, {}, "ffeeddccbbaa99887766554433221100");
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.json).toBe(b.json);
      expect(a.json).not.toBe(c.json);
      for (const x of JSON.parse(a.json) as number[]) expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("types the result failures: not a function, not JSON, too large", async () => {
    expectError(await run("42"), "NOT_A_FUNCTION");
    expectError(await run("() => undefined"), "RESULT_NOT_JSON");
    expectError(await run("() => 1n"), "FUNCTION_ERROR", /BigInt/);
    expectError(await run("() => 'x'.repeat(300 * 1024)"), "RESULT_TOO_LARGE");
  });
});

describe("hostile functions end in typed errors", () => {
  it("an endless loop: BUDGET_EXCEEDED, at the same instruction count every time", async () => {
    const a = await run("() => { for (;;) {} }");
    const b = await run("() => { for (;;) {} }");
    expectError(a, "BUDGET_EXCEEDED");
    expect(a.ok === false && a.deterministic).toBe(true);
    expect(a.instructions).toBe(b.instructions);
    // An uncatchable interrupt: catching it does not buy more time.
    expectError(await run("() => { for (;;) { try { for (;;) {} } catch (e) {} } }"), "BUDGET_EXCEEDED");
  });

  it("an endless loop with an unlimited budget: TIMEOUT at the deadline", async () => {
    expectError(await run("() => { for (;;) {} }", null, { budget: 1e12, deadlineMs: 200 }), "TIMEOUT");
  });

  it(
    "a 1 GB allocation: MEMORY_LIMIT",
    async () => {
      // A deadline far beyond the run's cost: on a loaded machine the filling loop is slow, and
      // what is asserted is the memory cap, not the clock.
      const slow = { deadlineMs: 300_000 };
      expectError(
        await run("() => new ArrayBuffer(1024 * 1024 * 1024).byteLength", null, slow),
        "MEMORY_LIMIT",
      );
      expectError(
        await run("() => { const a = []; for (;;) a.push(new Float64Array(1 << 20)) }", null, slow),
        "MEMORY_LIMIT",
      );
      expectError(await run("() => 'x'.repeat(1 << 29).length", null, slow), "MEMORY_LIMIT");
      // The hang guard covers the three deadlines: a loaded CI run (load 20) passed the default 180 s
      // and left these runs holding the pool's threads, which then failed the next test's queue count.
    },
    3 * 300_000 + 60_000,
  );

  it("deep recursion: STACK_OVERFLOW", async () => {
    expectError(await run("() => { const f = (n) => f(n + 1) + 1; return f(0) }"), "STACK_OVERFLOW");
  });

  it("a thrown error: FUNCTION_ERROR with its name and message", async () => {
    expectError(await run("() => { throw new TypeError('boom') }"), "FUNCTION_ERROR", /^TypeError: boom/);
    expectError(await run("() => { throw 'a string' }"), "FUNCTION_ERROR", /a string/);
    expectError(await run("() => JSON.parse('{')"), "FUNCTION_ERROR", /SyntaxError/);
  });

  it("host APIs are not there: process, require, fetch, timers, fs, import", async () => {
    for (const name of [
      "process",
      "require",
      "fetch",
      "setTimeout",
      "setInterval",
      "fs",
      "Buffer",
      "console",
    ])
      expectError(await run(`() => ${name}`), "FUNCTION_ERROR", new RegExp(`'${name}' is not defined`));
    expectError(await run("() => import('node:fs')"), "FUNCTION_ERROR", /module|import/i);
    expectError(await run("import fs from 'node:fs'; () => fs"), "SYNTAX_ERROR");
    expectError(
      await run("() => globalThis.constructor.constructor('return process')()()"),
      "FUNCTION_ERROR",
    );
    expectError(await run("() => { return this.process }"), "RESULT_NOT_JSON");
  });

  it("a syntax error in the source: SYNTAX_ERROR", async () => {
    expectError(await run("(x) => {"), "SYNTAX_ERROR");
    expectError(await run("(x) => x +* 2"), "SYNTAX_ERROR");
  });
});

describe("the pool", () => {
  it("terminates and replaces a thread stuck in native code; other jobs keep running", async () => {
    const before = pool.stats.replaced;
    // Long C-level string work: the interpreter's interrupt counter barely moves, so only the host's
    // backstop (deadline + grace) can end it.
    const stuck = run(
      "() => { let n = 0; for (let i = 0; i < 40; i++) n += 'ab'.repeat(1e6).split('').reverse().join('').length; return n }",
      null,
      { budget: 1e12, deadlineMs: 100, memoryBytes: 128 * 1024 * 1024 },
    );
    const others = Array.from({ length: 6 }, (_, i) => run("(x) => x * x", i));
    expectError(await stuck, "TIMEOUT", /terminated/);
    expect((await Promise.all(others)).map((o) => (o.ok ? o.json : o.code))).toEqual([
      "0",
      "1",
      "4",
      "9",
      "16",
      "25",
    ]);
    expect(pool.stats.replaced).toBe(before + 1);
    expect(await run("(x) => x + 1", 1)).toMatchObject({ ok: true, json: "2" });
  });

  it("refuses with QUEUE_FULL when every thread is busy and the queue is full", async () => {
    const spin = () => run("() => { for (;;) {} }", null, { budget: 1e12, deadlineMs: 300 });
    const accepted = Array.from({ length: 10 }, spin);
    await expect(run("(x) => x", 1)).rejects.toMatchObject({ code: "QUEUE_FULL", status: 429 });
    for (const o of await Promise.all(accepted)) expectError(o, "TIMEOUT");
  });
});
