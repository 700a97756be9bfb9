import { CodedError } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import type { ServiceDefinition } from "../src/service/index.js";
import { eventually, startTestNode, startTestService, type TestNode } from "../src/testing/index.js";

/*
 * A service never acknowledges a write while it is not ready: with NATS gone (the node's private
 * nats-server died with its supervisor) a POST gets a typed 503, reads still answer; a service
 * whose supervisor is already gone does not even start.
 */

const writes: string[] = [];
const def: ServiceDefinition = {
  name: "compute",
  version: "0.0.0",
  setup: async (ctx) => {
    ctx.app.post("/things", async () => {
      writes.push("thing");
      return { ok: true };
    });
    ctx.app.get("/things", async () => ({ count: writes.length }));
    return undefined;
  },
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

async function node(): Promise<TestNode> {
  const n = await startTestNode("full");
  cleanup.push(n.stop);
  return n;
}

describe("writes while not ready", () => {
  it("answers 503 NOT_READY to a write once NATS is gone, and still serves reads", async () => {
    const n = await node();
    const svc = await startTestService(def, n);
    cleanup.push(svc.stop);
    const post = () => svc.ctx.app.inject({ method: "POST", url: "/things" });
    expect((await post()).statusCode).toBe(200);
    expect(svc.ctx.writable()).toBe(true);
    await n.nats.stop();
    await eventually(
      () => svc.ctx.app.inject({ url: "/ready" }).then((r) => r.statusCode),
      (s) => s === 503,
    );
    const refused = await post();
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: "NOT_READY" } });
    expect(writes).toHaveLength(1);
    expect((await svc.ctx.app.inject({ url: "/things" })).json()).toEqual({ count: 1 });
  });

  it("does not start when the supervisor that P2PNODE_SUPERVISOR_PID names is not its parent", async () => {
    const n = await node();
    const err = await startTestService(def, n, { P2PNODE_SUPERVISOR_PID: "999999999" }).catch((e) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe("NOT_READY");
  });

  it("starts under its supervisor: the parent pid matches", async () => {
    const n = await node();
    const svc = await startTestService(def, n, { P2PNODE_SUPERVISOR_PID: String(process.ppid) });
    cleanup.push(svc.stop);
    expect(svc.ctx.supervision.alive()).toBe(true);
    expect((await svc.ctx.app.inject({ method: "POST", url: "/things" })).statusCode).toBe(200);
  });
});
