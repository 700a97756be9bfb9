import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { ServiceInfo } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minerService } from "../src/api.js";

let node: TestNode;
let svc: RunningService;

beforeAll(async () => {
  node = await startTestNode("miner");
  svc = await startTestService(minerService, node);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

describe("miner service runtime", () => {
  it("learns its node's identity over NATS and reports it on /info", async () => {
    const { app } = svc.ctx;
    let info = await app.inject({ url: "/info" });
    for (let i = 0; i < 100 && info.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await app.inject({ url: "/info" });
    }
    const body = ServiceInfo.parse(info.json());
    expect(body).toMatchObject({ service: "miner", nodeId: node.nodeId, role: "miner", pid: process.pid });
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
  });

  it("serves its OpenAPI document over the real port", async () => {
    const res = await fetch(`${svc.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe("p2pnode miner");
    expect(doc.paths).toHaveProperty("/info");
  });
});

describe("miner REST", () => {
  it("reports status and starts/stops only with the admin token", async () => {
    const { app } = svc.ctx;
    const status = await app.inject({ url: "/status" });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ mining: true });
    expect((await app.inject({ method: "POST", url: "/stop" })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${node.env.P2PNODE_API_TOKEN}` };
    const stopped = await app.inject({ method: "POST", url: "/stop", headers: auth });
    expect(stopped.json()).toMatchObject({ mining: false, hashrate: 0 });
    const started = await app.inject({ method: "POST", url: "/start", headers: auth });
    expect(started.json()).toMatchObject({ mining: true });
  });
});
