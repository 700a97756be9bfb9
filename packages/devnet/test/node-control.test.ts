import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, makeNode, serviceUrls } from "../src/layout.js";
import { mineBlocks, setMining, sharedTip, tipOf } from "../src/node-control.js";

/*
 * The node controls tests and benches share, against stand-ins for a node's chain and miner
 * services on the ports a devnet node would have: a chain whose tip climbs while its miner runs.
 */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const TOKEN = "test-token-0123456789";

function listen(
  url: string | undefined,
  handle: (path: string, method: string, auth?: string) => [number, unknown],
) {
  const port = Number(new URL(url!).port);
  const server = createServer((req, res) => {
    const [status, body] = handle(req.url ?? "", req.method ?? "", req.headers.authorization);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  servers.push(server);
  return new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
}

/** A node whose chain tip rises by one every poll while its miner is started. */
async function fakeNode(index: number, o: { refuse?: boolean; hash?: string } = {}) {
  const node: DevnetNode = makeNode("/nonexistent", index, "miner", await freePortBase(1));
  const state = { height: 10, mining: false, starts: 0, stops: 0 };
  await listen(serviceUrls(node).chain, (path) => {
    if (path !== "/tip") return [404, {}];
    if (state.mining) state.height++;
    return [200, { height: state.height, hash: o.hash ?? `h${state.height}`, totalWork: "1" }];
  });
  await listen(serviceUrls(node).miner, (path, method, auth) => {
    if (method !== "POST" || auth !== `Bearer ${TOKEN}`) return [401, { error: { code: "UNAUTHORIZED" } }];
    if (o.refuse) return [409, { error: { code: "CONFLICT", message: "not a miner" } }];
    state.mining = path === "/start";
    if (state.mining) state.starts++;
    else state.stops++;
    return [200, { mining: state.mining }];
  });
  return { node, state };
}

describe("devnet node controls", () => {
  it("mineBlocks starts the miner, waits for the tip to rise by the count, and stops it", async () => {
    const { node, state } = await fakeNode(0);
    expect(await mineBlocks(node, TOKEN, 3, { pollMs: 5 })).toBe(true);
    expect(state).toMatchObject({ mining: false, starts: 1, stops: 1 });
    expect(state.height).toBeGreaterThanOrEqual(13);
  });

  it("a refused miner call throws with its status and body, where it happens", async () => {
    const { node } = await fakeNode(0, { refuse: true });
    await expect(setMining(node, "start", TOKEN)).rejects.toThrow(/start mining on node0: 409 .*not a miner/);
    await expect(mineBlocks(node, TOKEN, 1)).rejects.toThrow(/409/);
    const { node: other } = await fakeNode(1);
    await expect(setMining(other, "stop", "wrong-token")).rejects.toThrow(/401/);
  });

  it("sharedTip is the hash every node has, undefined while they differ or one does not answer", async () => {
    const a = await fakeNode(0, { hash: "same" });
    const b = await fakeNode(1, { hash: "same" });
    expect(await sharedTip([a.node, b.node])).toBe("same");
    const c = await fakeNode(2, { hash: "other" });
    expect(await sharedTip([a.node, b.node, c.node])).toBeUndefined();
    const down = makeNode("/nonexistent", 3, "miner", await freePortBase(1));
    expect(await tipOf(down)).toBeUndefined();
    expect(await sharedTip([a.node, down])).toBeUndefined();
  });
});
