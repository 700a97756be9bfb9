import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet, signTransaction } from "@p2pnode/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { gatewayPeers, nodeIdOf, setTopology } from "../src/partition.js";
import { waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { getJson, reportFailures, setMining, settleOnOneTip } from "./e2e-helpers.js";

// Five real nodes on loopback, two of them miners, talking through their gateways.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-gateway-e2e-"));
// Ports ending in 50/51 never meet the other e2e devnets' (which sit on round bases).

const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const tip = (n: DevnetNode) => getJson<{ height: number; hash: string }>(`${serviceUrls(n).chain}/tip`);
const blockAt = (n: DevnetNode, h: number) =>
  getJson<{ hash: string }>(`${serviceUrls(n).chain}/blocks/${h}`)
    .then((b) => b.hash)
    .catch(() => undefined);
const miner = (n: DevnetNode, action: "start" | "stop") => setMining(n, action, state.apiToken);

beforeAll(async () => {
  state = await devnet.up({
    nodes: 5,
    miners: 2,
    portBase: await freePortBase(5),
    readyTimeoutMs: 200_000,
  });
}, 240_000);
afterAll(() => devnet.down({ wipe: true }).catch(() => undefined), 60_000);

describe("gateway on a 5-node devnet", () => {
  it("connects every node to peers found from one bootnode and the DHT", async () => {
    const ok = await waitUntil(
      async () => (await Promise.all(state.nodes.map(gatewayPeers))).every((p) => p.length >= 2),
      90_000,
      500,
    );
    const counts = (await Promise.all(state.nodes.map(gatewayPeers))).map((p) => p.length);
    expect(ok, `peer counts: ${counts.join(", ")}`).toBe(true);
  }, 120_000);

  it("a tx submitted to node 1 is in a block on every node's chain, and all five agree on the tip", async () => {
    expect(await waitUntil(async () => (await tip(state.nodes[0]!)).height >= 2, 90_000, 500)).toBe(true);
    const faucet = readWallet(devnet.faucetFile).key;
    const tx = {
      kind: "transfer" as const,
      from: faucet.publicKey,
      to: new Uint8Array(20).fill(0xb0),
      amount: 1_000n,
      fee: 100_000n,
      nonce: 0,
      memo: new Uint8Array(0),
    };
    const stx = signTransaction(tx, state.chainId, faucet);
    const body = {
      tx: {
        kind: "transfer",
        from: hex(tx.from),
        to: hex(tx.to),
        amount: "1000",
        fee: "100000",
        nonce: 0,
        memo: "",
      },
      signature: hex(stx.signature),
    };
    const res = await fetch(`${serviceUrls(state.nodes[1]!).chain}/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const mined = await waitUntil(
      async () =>
        (
          await Promise.all(
            state.nodes.map((n) =>
              getJson<{ status: string }>(`${serviceUrls(n).chain}/txs/${id}`).catch(() => undefined),
            ),
          )
        ).every((s) => s?.status === "mined"),
      120_000,
      500,
    );
    expect(mined).toBe(true);
    const agreed = await settleOnOneTip(state.nodes, state.nodes[0]!, [state.nodes[1]!], state.apiToken);
    expect(agreed, JSON.stringify(await Promise.all(state.nodes.map(tip)))).toBe(true);
  }, 240_000);

  it("relays blocks through peers on a line where the two miners are never directly connected", async () => {
    // Line node0 — node2 — node1 — node3 — node4: the miners (0 and 1) only meet through node2.
    await setTopology(state, [
      [0, 2],
      [1, 2],
      [1, 3],
      [3, 4],
    ]);
    const [n0, n1] = [state.nodes[0]!, state.nodes[1]!];
    const ids = state.nodes.map(nodeIdOf);
    expect(await waitUntil(async () => (await gatewayPeers(n0)).length === 1, 30_000, 250)).toBe(true);
    expect((await gatewayPeers(n0)).map((p) => p.id)).toEqual([ids[2]]);
    expect((await gatewayPeers(n1)).map((p) => p.id).sort()).toEqual([ids[2]!, ids[3]!].sort());

    for (const [who, other] of [
      [n0, n1],
      [n1, n0],
    ] as const) {
      const start = (await tip(who)).height;
      await miner(who, "start");
      expect(await waitUntil(async () => (await tip(who)).height >= start + 2, 120_000, 250)).toBe(true);
      await miner(who, "stop");
      const h = start + 1;
      const hash = await blockAt(who, h);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const everywhere = await waitUntil(
        async () => (await Promise.all(state.nodes.map((n) => blockAt(n, h)))).every((x) => x === hash),
        60_000,
        250,
      );
      expect(everywhere, `block ${h} from ${who.name}`).toBe(true);
      expect((await gatewayPeers(who)).map((p) => p.id)).not.toContain(nodeIdOf(other));
    }
    const agreed = await waitUntil(
      async () => new Set((await Promise.all(state.nodes.map(tip))).map((t) => t.hash)).size === 1,
      60_000,
      250,
    );
    expect(agreed).toBe(true);
  }, 300_000);
});
