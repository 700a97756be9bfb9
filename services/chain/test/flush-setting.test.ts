import { blockToJson } from "@p2pnode/codec";
import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import { alice, bob, makeBlock, openChain, testGenesis, transfer } from "./helpers.js";

/*
 * P2PNODE_CHAIN_FLUSH_BLOCKS and P2PNODE_CHAIN_FLUSH_ROWS (kit's NodeEnv) reach the chain's store:
 * a node run with 1 writes each block's account changes and index rows in the block's own
 * transaction, as Bitcoin Core with a tiny dbcache would; by default they wait.
 */

const genesis = testGenesis();
const running: { node: TestNode; svc: RunningService }[] = [];
afterEach(async () => {
  for (const { node, svc } of running.splice(0)) {
    await svc.stop();
    await node.stop();
  }
});

/** A chain service with `env`, given one block with a transfer over REST; its /metrics after. */
async function afterOneBlock(env: NodeJS.ProcessEnv): Promise<string> {
  const node = await startTestNode("full", {}, { genesis });
  const svc = await startTestService(chainService, node, env);
  running.push({ node, svc });
  const local = openChain(genesis);
  const block = makeBlock(local, { txs: [transfer(alice, bob, 5n, 0)] });
  local.store.close();
  const res = await svc.ctx.app.inject({ method: "POST", url: "/blocks", payload: blockToJson(block) });
  expect(res.json()).toMatchObject({ height: 1, status: "connected" });
  return (await svc.ctx.app.inject({ url: "/metrics" })).body;
}

describe("the chain store's flush settings", () => {
  it("P2PNODE_CHAIN_FLUSH_BLOCKS=1 writes every block at once", async () => {
    const metrics = await afterOneBlock({ P2PNODE_CHAIN_FLUSH_BLOCKS: "1" });
    expect(metrics).toMatch(/chain_store_pending_rows\{service="chain"\} 0\n/);
    expect(metrics).toMatch(/chain_store_flushes_total\{service="chain"\} 2\n/); // genesis, the block
  });

  it("P2PNODE_CHAIN_FLUSH_ROWS=3 writes once three rows wait (sender, recipient, miner, index row)", async () => {
    const metrics = await afterOneBlock({ P2PNODE_CHAIN_FLUSH_ROWS: "3" });
    expect(metrics).toMatch(/chain_store_pending_rows\{service="chain"\} 0\n/);
    expect(metrics).toMatch(/chain_store_flushes_total\{service="chain"\} 2\n/);
  });

  it("by default the block's rows wait for a later flush", async () => {
    const metrics = await afterOneBlock({});
    expect(metrics).toMatch(/chain_store_pending_rows\{service="chain"\} 4\n/);
    expect(metrics).toMatch(/chain_store_flushes_total\{service="chain"\} 1\n/); // genesis only
  });
});
