import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, callJson } from "../src/http.js";
import { ServiceClient } from "../src/service-client.js";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: string) =>
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    if (req.url === "/ok") return send(200, JSON.stringify({ n: 1 }));
    if (req.url === "/typed")
      return send(
        409,
        JSON.stringify({ error: { code: "BAD_NONCE", message: "nonce used", details: { expected: 3 } } }),
      );
    if (req.url === "/ready")
      return send(503, JSON.stringify({ ready: false, checks: { nats: { ok: false, detail: "down" } } }));
    if (req.url === "/html") return res.writeHead(502).end("<html>proxy error</html>");
    if (req.url === "/auth")
      return send(
        req.headers.authorization === "Bearer t0ken-t0ken-t0ken" ? 200 : 401,
        JSON.stringify({ n: 2 }),
      );
    return send(200, JSON.stringify({ n: "not a number" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const N = z.object({ n: z.number() });

describe("typed HTTP client", () => {
  it("parses a good reply with its schema", async () => {
    expect(await callJson("GET", `${base}/ok`, N)).toEqual({ n: 1 });
  });

  it("rethrows the server's typed error with code, details and status", async () => {
    const err = await callJson("GET", `${base}/typed`, N).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "BAD_NONCE", status: 409, details: { expected: 3 } });
  });

  it("refuses a reply that fails its schema, or is not JSON", async () => {
    await expect(callJson("GET", `${base}/wrong`, N)).rejects.toMatchObject({ code: "BAD_RESPONSE" });
    await expect(callJson("GET", `${base}/html`, N)).rejects.toMatchObject({
      code: "BAD_RESPONSE",
      status: 502,
    });
  });

  it("reports a node that does not answer as UPSTREAM_UNAVAILABLE, saying why", async () => {
    // fetch says only "fetch failed"; the refused connection is in its cause. A port just freed:
    // nothing listens there.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      callJson("GET", `http://127.0.0.1:${port}/x`, N, undefined, { timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      status: 503,
      message: `GET http://127.0.0.1:${port}/x: no answer (connect ECONNREFUSED 127.0.0.1:${port})`,
    });
  });

  it("says when a node accepted the connection but did not answer in time", async () => {
    const silent = createServer(() => undefined); // never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`;
    try {
      await expect(callJson("GET", url, N, undefined, { timeoutMs: 300 })).rejects.toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
        message: `GET ${url}: no answer within 0.3 s`,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("sends the bearer token for admin routes", async () => {
    await expect(callJson("GET", `${base}/auth`, N)).rejects.toMatchObject({ status: 401 });
    expect(await callJson("GET", `${base}/auth`, N, undefined, { token: "t0ken-t0ken-t0ken" })).toEqual({
      n: 2,
    });
  });

  it("returns a 503 readiness answer instead of throwing it", async () => {
    expect(await new ServiceClient(base).ready()).toEqual({
      ready: false,
      checks: { nats: { ok: false, detail: "down" } },
    });
  });
});
