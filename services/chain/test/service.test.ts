import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { ServiceInfo } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";

let node: TestNode;
let svc: RunningService;

beforeAll(async () => {
  node = await startTestNode("miner");
  svc = await startTestService(chainService, node);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

describe("chain service runtime", () => {
  it("learns its node's identity over NATS and reports it on /info", async () => {
    const { app } = svc.ctx;
    let info = await app.inject({ url: "/info" });
    for (let i = 0; i < 100 && info.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await app.inject({ url: "/info" });
    }
    const body = ServiceInfo.parse(info.json());
    expect(body).toMatchObject({ service: "chain", nodeId: node.nodeId, role: "miner", pid: process.pid });
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
  });

  it("serves its OpenAPI document over the real port", async () => {
    const res = await fetch(`${svc.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe("p2pnode chain");
    expect(doc.paths).toHaveProperty("/info");
  });
});

describe("chain service process", () => {
  it("stops with a one-line message naming a bad variable", async () => {
    const { spawnSync } = await import("node:child_process");
    const main = new URL("../dist/main.js", import.meta.url).pathname;
    for (const [name, value] of [
      ["P2PNODE_ROLE", "banana"],
      ["P2PNODE_CHAIN_PORT", "70000"],
    ] as const) {
      const r = spawnSync(process.execPath, [main], {
        env: { ...node.env, [name]: value },
        encoding: "utf8",
      });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^p2pnode chain: config error: invalid ${name}="${value}"`));
    }
  });
});
