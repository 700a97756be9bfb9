import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ComputeClient } from "../src/compute-client.js";

/* The compute client's server-sent-event reader against a small HTTP server. */

let server: Server;
let client: ComputeClient;
const event = (type: string, done: number) =>
  `event: ${type}\ndata: ${JSON.stringify({ taskId: "t1", type, jobs: { total: 2, done, failed: 0, running: 0, pending: 2 - done }, at: 1 })}\n\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/tasks/t1/events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // Split across writes, with a comment line, as a proxy might deliver it.
      const text = `${event("snapshot", 0)}: keep-alive\n\n${event("job", 1)}${event("done", 2)}`;
      res.write(text.slice(0, 50));
      setTimeout(() => res.end(text.slice(50)), 20);
      return;
    }
    if (req.url === "/functions") {
      // a register the service takes its time over (thread start, check, DHT publish), then refuses
      setTimeout(() => {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "SYNTAX_ERROR", message: "not a function" } }));
      }, 10_500);
      return;
    }
    if (req.url === "/tasks/bad/events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("event: job\ndata: {not json}\n\n");
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "no task" } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  client = new ComputeClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("ComputeClient.events", () => {
  it("yields each event, parsed and checked, across chunk boundaries and comments", async () => {
    const seen = [];
    for await (const e of client.events("t1")) seen.push([e.type, e.jobs.done]);
    expect(seen).toEqual([
      ["snapshot", 0],
      ["job", 1],
      ["done", 2],
    ]);
  });

  it("a malformed event or an unknown task is a typed error", async () => {
    await expect(client.events("bad").next()).rejects.toMatchObject({ code: "BAD_RESPONSE" });
    await expect(client.events("nope").next()).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});

describe("ComputeClient.registerFunction", () => {
  const fn = { source: "(x) => x", limits: {} } as Parameters<ComputeClient["registerFunction"]>[0];

  it("waits past the default 10 s for the service's answer", async () => {
    await expect(client.registerFunction(fn)).rejects.toMatchObject({ code: "SYNTAX_ERROR", status: 400 });
  }, 20_000);

  it("keeps a timeout the caller set", async () => {
    const impatient = new ComputeClient(client.baseUrl, { timeoutMs: 300 });
    await expect(impatient.registerFunction(fn)).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
  });
});
