import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { ServiceInfo } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayService } from "../src/api.js";

let node: TestNode;
let svc: RunningService;

beforeAll(async () => {
  node = await startTestNode("miner");
  svc = await startTestService(gatewayService, node);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

describe("gateway service runtime", () => {
  it("learns its node's identity over NATS and reports it on /info", async () => {
    const { app } = svc.ctx;
    let info = await app.inject({ url: "/info" });
    for (let i = 0; i < 100 && info.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await app.inject({ url: "/info" });
    }
    const body = ServiceInfo.parse(info.json());
    expect(body).toMatchObject({ service: "gateway", nodeId: node.nodeId, role: "miner", pid: process.pid });
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
  });

  it("serves its OpenAPI document over the real port", async () => {
    const res = await fetch(`${svc.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe("p2pnode gateway");
    expect(doc.paths).toHaveProperty("/info");
  });
});
