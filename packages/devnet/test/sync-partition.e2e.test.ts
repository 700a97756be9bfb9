import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet, signTransaction } from "@p2pnode/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { mineBlocks, mineUntil, sharedTip } from "../src/node-control.js";
import { gatewayPeers, heal, nodeIdOf, partition } from "../src/partition.js";
import { waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { getJson, reportFailures, settleOnOneTip, type Tip, tipOf } from "./e2e-helpers.js";

// Fork resolution after a partition: 5 nodes split 2+3 with a miner on each side. Every block
// carries the same work ("ff…" target, no retarget within the test), so the longer side is the
// heavier one; the test makes side B clearly heavier than wherever side A stopped.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-partition-e2e-"));
// Ports ending in 90 stay clear of the other e2e devnets.

const devnet = new Devnet({ dir, logLevel: "warn" });
const SIDE_A = [0, 2];
const SIDE_B = [1, 3, 4];
let state: DevnetState;
reportFailures(() => state?.nodes);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const tip = tipOf;
const txStatus = (n: DevnetNode, id: string) =>
  getJson<{ status: string }>(`${serviceUrls(n).chain}/txs/${id}`)
    .then((s) => s.status)
    .catch(() => undefined);
const balance = (n: DevnetNode, address: string) =>
  getJson<{ balance: string }>(`${serviceUrls(n).chain}/accounts/${address}`).then((a) => a.balance);
const nodes = (idx: number[]) => idx.map((i) => state.nodes[i]!);
const oneTip = (idx: number[]) => sharedTip(nodes(idx));
/** Mines on `who` until its tip satisfies `enough` (a floor, not a count), then stops. */
async function mineTo(who: DevnetNode, enough: (t: Tip) => boolean, what: string): Promise<void> {
  expect(await mineUntil(who, state.apiToken, enough), `${who.name} mined ${what}`).toBe(true);
}
/** Mines on `who` until it is at least `blocks` above where it was, then stops. */
async function mine(who: DevnetNode, blocks: number): Promise<void> {
  expect(await mineBlocks(who, state.apiToken, blocks), `${who.name} mined ${blocks} blocks`).toBe(true);
}

beforeAll(async () => {
  state = await devnet.up({
    nodes: 5,
    miners: 2,
    portBase: await freePortBase(5),
    readyTimeoutMs: 200_000,
    consensus: { initialTarget: "f".repeat(64), retargetWindow: 100_000 },
  });
}, 240_000);
afterAll(() => devnet.down({ wipe: true }).catch(() => undefined), 60_000);

describe("partition and heal", () => {
  it("both sides grow apart, then every node converges on the heavier chain without counting a balance twice", async () => {
    const [n0, n1] = nodes([0, 1]) as [DevnetNode, DevnetNode];
    // Settle on one chain first.
    expect(await waitUntil(async () => ((await tip(n0))?.height ?? 0) >= 5, 120_000, 250)).toBe(true);
    expect(await settleOnOneTip(state.nodes, n0, [n1], state.apiToken)).toBe(true);

    await partition(state, [SIDE_A, SIDE_B]);
    const ids = state.nodes.map(nodeIdOf);
    const cut = await waitUntil(
      async () => (await gatewayPeers(n0)).every((p) => p.id === ids[2]),
      30_000,
      250,
    );
    expect(cut).toBe(true);

    // A transfer only side A sees: it is mined on A's branch, which will lose.
    const faucet = readWallet(devnet.faucetFile).key;
    const to = new Uint8Array(20).fill(0xc4);
    const { pendingNonce } = await getJson<{ pendingNonce: number }>(
      `${serviceUrls(n0).chain}/accounts/${hex(faucet.address)}`,
    );
    const tx = {
      kind: "transfer" as const,
      from: faucet.publicKey,
      to,
      amount: 7_000n,
      fee: 100_000n,
      nonce: pendingNonce,
      memo: new Uint8Array(0),
    };
    const stx = signTransaction(tx, state.chainId, faucet);
    const res = await fetch(`${serviceUrls(state.nodes[2]!).chain}/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        tx: {
          kind: "transfer",
          from: hex(tx.from),
          to: hex(to),
          amount: "7000",
          fee: "100000",
          nonce: pendingNonce,
          memo: "",
        },
        signature: hex(stx.signature),
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await waitUntil(async () => (await txStatus(n0, id)) === "pending", 30_000, 200)).toBe(true);

    await mine(n0, 10);
    expect(await waitUntil(async () => (await txStatus(state.nodes[2]!, id)) === "mined", 30_000, 200)).toBe(
      true,
    );
    const tipA = await waitUntil(async () => (await oneTip(SIDE_A)) !== undefined, 60_000, 200);
    expect(tipA).toBe(true);
    // Side B mines until it is clearly heavier than side A, however far side A's "10" went: in a
    // loaded CI run side A ended 42 blocks up and side B's "40 more" 2 short of it, so every node
    // rightly converged on side A and the test, which expected side B, failed.
    const workA = BigInt((await tip(n0))!.totalWork);
    await mineTo(n1, (t) => BigInt(t.totalWork) >= workA + 30n, "past side A's work");
    expect(await waitUntil(async () => (await oneTip(SIDE_B)) !== undefined, 60_000, 200)).toBe(true);
    const heavier = (await tip(n1))!;
    expect((await tip(n0))!.hash).not.toBe(heavier.hash);
    expect(await txStatus(state.nodes[3]!, id)).toBeUndefined();

    await heal(state, [
      [0, 1],
      [2, 3],
    ]);
    const converged = await waitUntil(
      async () => (await oneTip([0, 1, 2, 3, 4])) === heavier.hash,
      120_000,
      250,
    );
    expect(converged, JSON.stringify(await Promise.all(state.nodes.map(tip)))).toBe(true);
    // The losing branch's transfer is not lost: back in side A's mempools (or already re-mined).
    for (const n of nodes(SIDE_A)) expect(["pending", "mined"]).toContain(await txStatus(n, id));

    // Mine on the node that held it (alone): it is mined once, on the one chain every node agrees on.
    await mine(n0, 2);
    const minedEverywhere = await waitUntil(
      async () => (await Promise.all(state.nodes.map((n) => txStatus(n, id)))).every((s) => s === "mined"),
      120_000,
      250,
    );
    expect(minedEverywhere).toBe(true);
    expect(await waitUntil(async () => (await oneTip([0, 1, 2, 3, 4])) !== undefined, 60_000, 250)).toBe(
      true,
    );
    const received = await Promise.all(state.nodes.map((n) => balance(n, hex(to))));
    expect(received).toEqual(state.nodes.map(() => "7000"));
    const faucetLeft = await Promise.all(state.nodes.map((n) => balance(n, hex(faucet.address))));
    expect(new Set(faucetLeft).size).toBe(1);
  }, 600_000);
});
