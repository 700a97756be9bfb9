import { CodedError, ErrorBody, type RejectReason } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type App, createApp, requireAdmin } from "../src/http/index.js";
import { createLogger } from "../src/log/index.js";

let app: App;
let ready = true;

beforeAll(async () => {
  ({ app } = await createApp({
    service: "test",
    version: "1.0.0",
    log: createLogger("test", "silent"),
    bodyLimitBytes: 64 * 1024,
    readiness: { flag: () => ({ ok: ready, detail: ready ? undefined : "flag is down" }) },
  }));
  app.post(
    "/things",
    {
      schema: {
        body: z.object({ name: z.string().min(1), count: z.number().int().positive() }),
        response: { 200: z.object({ ok: z.boolean() }) },
      },
    },
    async () => ({ ok: true }),
  );
  app.get("/boom", async () => {
    throw new Error("secret internal detail");
  });
  app.get("/coded", async () => {
    throw new CodedError<RejectReason>("INSUFFICIENT_FUNDS", "balance too low", { need: "5" }, 422);
  });
  app.post("/admin", { preHandler: requireAdmin("a-long-enough-admin-token") }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(() => app.close());

describe("REST app factory", () => {
  it("answers a body that fails its schema with 400 and the error shape", async () => {
    const res = await app.inject({ method: "POST", url: "/things", payload: { name: "", count: -1 } });
    expect(res.statusCode).toBe(400);
    const body = ErrorBody.parse(res.json());
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(JSON.stringify(body.error.details)).toContain("count");
  });

  it("answers malformed JSON with 400 BAD_REQUEST", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/things",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(ErrorBody.parse(res.json()).error.code).toBe("BAD_REQUEST");
  });

  it("refuses an over-size body with 413 before parsing it", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/things",
      payload: { name: "x".repeat(100_000), count: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(ErrorBody.parse(res.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts a valid body", async () => {
    const res = await app.inject({ method: "POST", url: "/things", payload: { name: "a", count: 2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it("hides 5xx details and passes coded errors through with their status", async () => {
    const boom = await app.inject({ method: "GET", url: "/boom" });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain("secret");
    const coded = await app.inject({ method: "GET", url: "/coded" });
    expect(coded.statusCode).toBe(422);
    expect(coded.json()).toEqual({
      error: { code: "INSUFFICIENT_FUNDS", message: "balance too low", details: { need: "5" } },
    });
  });

  it("answers unknown routes with 404 NOT_FOUND in the error shape", async () => {
    const res = await app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(ErrorBody.parse(res.json()).error.code).toBe("NOT_FOUND");
  });

  it("reports /ready from its checks, 503 when one fails", async () => {
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
    ready = false;
    const res = await app.inject({ url: "/ready" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, checks: { flag: { ok: false, detail: "flag is down" } } });
    ready = true;
  });

  it("serves /health, /metrics and the OpenAPI document with the routes", async () => {
    expect((await app.inject({ url: "/health" })).json()).toEqual({ status: "ok" });
    await app.inject({ url: "/health" });
    const metrics = await app.inject({ url: "/metrics" });
    expect(metrics.body).toContain("http_request_duration_seconds_bucket");
    // the event-loop lag gauges stay, sampled every EVENT_LOOP_SAMPLE_MS
    expect(metrics.body).toContain("nodejs_eventloop_lag_p99_seconds");
    const doc = (await app.inject({ url: "/docs/json" })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/things", "/ready", "/health"]));
    expect((await app.inject({ url: "/docs" })).statusCode).toBeLessThan(400);
  });

  it("guards admin routes with the bearer token", async () => {
    expect((await app.inject({ method: "POST", url: "/admin" })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: "POST",
      url: "/admin",
      headers: { authorization: "Bearer a-long-enough-admin-tokeX" },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({
      method: "POST",
      url: "/admin",
      headers: { authorization: "Bearer a-long-enough-admin-token" },
    });
    expect(right.statusCode).toBe(200);
  });
});
