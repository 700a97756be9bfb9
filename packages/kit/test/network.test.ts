import { CodedError, NodeSubjects } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningService, ServiceContext, ServiceDefinition } from "../src/service/index.js";
import {
  connectTestBus,
  startTestNats,
  startTestNode,
  startTestService,
  type TestNode,
  testGenesis,
} from "../src/testing/index.js";

/** A service with no domain: what it sees of its node is what the runtime gave `setup`. */
function probe(): { def: ServiceDefinition; seen: () => ServiceContext | undefined } {
  let seen: ServiceContext | undefined;
  const def: ServiceDefinition = {
    name: "compute",
    version: "0.0.0",
    setup: async (ctx) => {
      seen = ctx;
      return undefined;
    },
  };
  return { def, seen: () => seen };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function node(genesis = testGenesis()): Promise<TestNode> {
  const n = await startTestNode("full", {}, { genesis });
  cleanup.push(n.stop);
  return n;
}

async function start(def: ServiceDefinition, n: TestNode): Promise<RunningService> {
  const svc = await startTestService(def, n);
  cleanup.push(svc.stop);
  return svc;
}

describe("the node's network, handed to services by the runtime", () => {
  it("is known before setup runs, as the stand-in supervisor serves it", async () => {
    const n = await node();
    const p = probe();
    await start(p.def, n);
    expect(p.seen()?.network).toEqual(n.network);
    expect(n.network.genesis).toEqual(testGenesis());
    expect(n.network.genesisHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("follows the genesis: another genesis document is another network", async () => {
    const a = await node();
    const b = await node(testGenesis({ timestamp: testGenesis().timestamp + 1 }));
    expect(b.network.chainId).toBe(a.network.chainId);
    expect(b.network.genesisHash).not.toBe(a.network.genesisHash);
    const p = probe();
    await start(p.def, b);
    expect(p.seen()?.network.genesisHash).toBe(b.network.genesisHash);
  });

  it("refuses to start, without waiting out the deadline, when the supervisor answers an error", async () => {
    const nats = await startTestNats();
    cleanup.push(nats.stop);
    const sup = await connectTestBus(nats, "supervisor");
    cleanup.push(() => sup.close());
    await sup.serve(NodeSubjects.networkGet, () => {
      throw new CodedError<"GENESIS_INVALID">("GENESIS_INVALID", "P2PNODE_GENESIS is not usable");
    });
    const n = await node();
    const p = probe();
    const env = { P2PNODE_NATS_URL: nats.url, P2PNODE_NATS_TOKEN: nats.token };
    // A deadline far beyond the test timeout: passing shows the error reply ended the wait.
    const started = startTestService(p.def, n, env, { networkWaitMs: 600_000 });
    await expect(started).rejects.toMatchObject({
      code: "NETWORK_UNAVAILABLE",
      message: expect.stringContaining("P2PNODE_GENESIS is not usable"),
    });
    expect(p.seen()).toBeUndefined();
  });
});
