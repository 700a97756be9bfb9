import type { Role } from "@p2pnode/types";
import { ServiceInfo } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, type ServiceDefinition, startService } from "../service/index.js";
import { startTestNats } from "./nats.js";
import { eventually, startTestNode, startTestService, type TestNode } from "./service.js";

export interface ServiceSuite {
  node: () => TestNode;
  svc: () => RunningService;
}

/**
 * The runtime contract every service keeps, as a vitest suite: it learns its node's identity over
 * that node's NATS and reports it on /info, is ready, and serves its OpenAPI document. Returns
 * accessors so a service's own tests can use the same running instance.
 */
export function serviceRuntimeSuite(def: ServiceDefinition, role: Role = "miner"): ServiceSuite {
  let node: TestNode | undefined;
  let svc: RunningService | undefined;
  beforeAll(async () => {
    node = await startTestNode(role);
    svc = await startTestService(def, node);
  });
  afterAll(async () => {
    await svc?.stop();
    await node?.stop();
  });

  describe(`${def.name} service runtime`, () => {
    it("learns its node's identity over NATS and reports it on /info", async () => {
      const { app } = svc!.ctx;
      const info = await eventually(
        () => app.inject({ url: "/info" }),
        (r) => r.statusCode === 200,
      );
      const body = ServiceInfo.parse(info.json());
      expect(body).toMatchObject({ service: def.name, nodeId: node!.nodeId, role, pid: process.pid });
      expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
    });

    it("runs on the network its node serves (node.v1.network.get) and says so on /info", async () => {
      expect(svc!.ctx.network).toEqual(node!.network);
      const body = ServiceInfo.parse((await svc!.ctx.app.inject({ url: "/info" })).json());
      expect(body).toMatchObject({ chainId: node!.network.chainId, genesisHash: node!.network.genesisHash });
    });

    it("refuses to start when nobody serves the node's network", async () => {
      const bare = await startTestNats(); // a NATS without a supervisor on it
      try {
        const env = { ...node!.env, P2PNODE_NATS_URL: bare.url, P2PNODE_NATS_TOKEN: bare.token };
        const started = startService(def, env, { networkWaitMs: 300 });
        await expect(started).rejects.toMatchObject({
          code: "NETWORK_UNAVAILABLE",
          message: expect.stringMatching(/^cannot learn the node's network \(node\.v1\.network\.get\): /),
        });
      } finally {
        await bare.stop();
      }
    });

    it("serves its OpenAPI document over the real port", async () => {
      const res = await fetch(`${svc!.url}/docs/json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
      expect(doc.info.title).toBe(`p2pnode ${def.name}`);
      expect(doc.paths).toHaveProperty("/info");
    });
  });
  return { node: () => node!, svc: () => svc! };
}
