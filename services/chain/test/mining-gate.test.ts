import type { Bus, RunningService } from "@p2pnode/kit";
import {
  connectTestBus,
  eventually,
  startTestNode,
  startTestService,
  type TestNode,
} from "@p2pnode/kit/testing";
import { ChainSubjects, type CodedError, GatewaySubjects } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import { minerA } from "./helpers.js";

// A node that has peers to find hands out no block template until it has seen their chain: a
// miner started beside a gateway that is still connecting would otherwise build a private branch
// from genesis, which the network's chain must reorg away (past the reorg limit with cheap blocks).

const PEER = "ab".repeat(32);
const running: { node: TestNode; svc: RunningService; gateway: Bus }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.gateway.close();
    await r.svc.stop();
    await r.node.stop();
  }
});

/** A chain service with a stand-in gateway whose connected peers the test sets. */
async function chainWith(env: NodeJS.ProcessEnv) {
  const node = await startTestNode("miner", env);
  const gateway = await connectTestBus(node.nats, "gateway");
  const peers: { id: string; totalWork: string; height: number; latencyMs: number | null }[] = [];
  await gateway.serve(GatewaySubjects.syncPeers, () => ({ peers }));
  const svc = await startTestService(chainService, node);
  running.push({ node, svc, gateway });
  const template = () =>
    gateway.request(ChainSubjects.templateGet, { miner: minerA.hex }).then(
      (t) => ({ ok: true as const, height: t.header.height }),
      (err: CodedError) => ({ ok: false as const, code: err.code, message: err.message }),
    );
  return { gateway, peers, template };
}

/**
 * The chain answered the template request itself: a template, or the mining gate's refusal. Tests
 * retry only while the bus or the service does not answer yet (a loaded machine).
 */
const answered = (t: { ok: boolean; message?: string }) => t.ok || /before mining/.test(t.message ?? "");

describe("block templates wait for the network's chain", () => {
  it("a node with a bootnode refuses templates (NOT_READY) until a sync round ends level with a peer", async () => {
    const { gateway, peers, template } = await chainWith({ P2PNODE_BOOTNODES: "127.0.0.1:9" });
    const refused = await eventually(template, answered);
    expect(refused).toEqual({
      ok: false,
      code: "NOT_READY",
      message: "waiting for a peer before mining: none connected yet",
    });

    // A peer connects with no more work than ours (a fresh network): its tip announcement starts a
    // round even though it is not ahead, and that round ending level is what opens templates.
    peers.push({ id: PEER, totalWork: "0", height: 0, latencyMs: 1 });
    gateway.publish(GatewaySubjects.peerTip, { peer: PEER, totalWork: "0", height: 0 });
    const opened = await eventually(template, (t) => t.ok);
    expect(opened).toEqual({ ok: true, height: 1 });

    // Latched: the peer leaving does not close templates again.
    peers.splice(0);
    expect(await template()).toEqual({ ok: true, height: 1 });
  });

  it("a node with no peers to find (a lone devnet node, a fixed single miner) mines at once", async () => {
    const { template } = await chainWith({});
    const first = await eventually(template, answered);
    expect(first).toEqual({ ok: true, height: 1 });
  });
});
