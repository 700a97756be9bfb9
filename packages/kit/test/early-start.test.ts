import { randomBytes } from "node:crypto";
import { NodeSubjects } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import type { ServiceDefinition } from "../src/service/index.js";
import {
  connectTestBus,
  eventually,
  freePort,
  startTestNats,
  startTestNode,
  startTestService,
} from "../src/testing/index.js";

// The supervisor starts the chain while nats-server is still starting, and before it serves the
// node's identity and network: a service must wait for both, and take no write before it knows
// which node it is.

const def: ServiceDefinition = {
  name: "compute",
  version: "0.0.0",
  setup: async (ctx) => {
    ctx.app.post("/things", async () => ({ ok: true }));
    return undefined;
  },
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const identity = (nodeId: string) => ({
  nodeId,
  publicKey: randomBytes(32).toString("hex"),
  role: "full" as const,
  version: "0.0.0",
  startedAt: Date.now(),
});

describe("a service started before its node's NATS and supervisor are up", () => {
  it("connects once nats-server listens and runs on the network its supervisor then serves", async () => {
    const n = await startTestNode();
    cleanup.push(n.stop);
    const port = await freePort();
    const token = randomBytes(18).toString("base64url");
    const started = startTestService(def, n, {
      P2PNODE_NATS_URL: `nats://127.0.0.1:${port}`,
      P2PNODE_NATS_TOKEN: token,
    });
    const nats = await startTestNats({ port, token });
    cleanup.push(nats.stop);
    const sup = await connectTestBus(nats, "supervisor");
    cleanup.push(() => sup.close());
    await sup.serve(NodeSubjects.identityGet, () => identity("ab".repeat(32)));
    await sup.serve(NodeSubjects.networkGet, () => n.network);
    const svc = await started;
    cleanup.push(svc.stop);
    const info = (await (await fetch(`${svc.url}/info`)).json()) as { nodeId: string; genesisHash: string };
    expect(info).toMatchObject({ nodeId: "ab".repeat(32), genesisHash: n.network.genesisHash });
  });

  it("refuses writes with 503 NOT_READY until the node's identity is known, then takes them", async () => {
    const n = await startTestNode();
    cleanup.push(n.stop);
    // This node's supervisor serves the network but not yet the identity.
    const bare = await startTestNats();
    cleanup.push(bare.stop);
    const late = await connectTestBus(bare, "supervisor");
    cleanup.push(() => late.close());
    await late.serve(NodeSubjects.networkGet, () => n.network);
    const svc = await startTestService(def, n, {
      P2PNODE_NATS_URL: bare.url,
      P2PNODE_NATS_TOKEN: bare.token,
    });
    cleanup.push(svc.stop);
    const post = () => fetch(`${svc.url}/things`, { method: "POST" });
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("NOT_READY");
    expect((await fetch(`${svc.url}/ready`)).status).toBe(503);
    await late.serve(NodeSubjects.identityGet, () => identity("cd".repeat(32)));
    await eventually(
      async () => (await fetch(`${svc.url}/ready`)).status,
      (status) => status === 200,
    );
    expect((await post()).status).toBe(200);
  });
});
