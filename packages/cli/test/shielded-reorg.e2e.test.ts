import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ShieldedTransferTx, SignedTransaction } from "@p2pnode/codec";
import {
  Devnet,
  type DevnetNode,
  type DevnetState,
  freePortBase,
  gatewayPeers,
  heal,
  mineBlocks,
  nodeIdOf,
  nodePorts,
  partition,
  serviceUrls,
  setMining,
  sharedTip,
  tipOf,
  waitUntil,
} from "@p2pnode/devnet";
import type { SpendingKey } from "@p2pnode/shielded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpendingKey } from "../src/shielded/wallet.js";
import { ProtocolPeer } from "./helpers/p2p-peer.js";
import { bytesOf, idOf, jsonOf, proveTransferTwice } from "./helpers/spend.js";

/*
 * A reused nullifier across a reorg, on a 4-node proof-of-work devnet with two miners: a note is
 * shielded on the common chain; the network splits (A = node0, node2; B = node1, node3) and a
 * shielded spend of the note is mined on A's branch only; B mines a longer branch; on healing
 * every node takes B's chain, and on every node the spend's nullifiers are unspent again and the
 * spend is back in A's mempools. It is then mined once on the winning chain, after which a second
 * spend of the same note (the same statement, another proof: another tx) is refused with
 * NULLIFIER_SPENT by every node over REST and over the P2P protocol. One miner alone ends it.
 * Every block carries the same work ("ff…" target, no retarget), so the longer branch wins.
 */
const NODES = 4;
const SIDE_A = [0, 2];
const SIDE_B = [1, 3];
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const SHIELD = 400_000_000n;
const PAY = 123_456_789n;
const FEE = 1000n;

const dir = mkdtempSync(join(tmpdir(), "p2pnode-shielded-reorg-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
const [ka, kb] = [join(dir, "a.json"), join(dir, "b.json")];
let state: DevnetState;
let chains: string[] = [];
let skA: SpendingKey;
let skB: SpendingKey;
const peers: ProtocolPeer[] = [];
let passed = false;

const nodes = (idx: number[]) => idx.map((i) => state.nodes[i]!);
const chainOf = (n: DevnetNode) => serviceUrls(n).chain!;

async function get<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const once = async () => {
    const r = await fetch(url);
    return { status: r.status, body: (await r.json()) as T };
  };
  return once().catch(once);
}
const tip = tipOf;
const txStatus = async (n: DevnetNode, id: string) => {
  const r = await get<{ status?: string; block?: { hash: string } }>(`${chainOf(n)}/txs/${id}`);
  return r.status === 404 ? "unknown" : r.body.status;
};
const nullifier = async (n: DevnetNode, nf: string) =>
  (await get<{ spent: boolean; pendingTx: string | null }>(`${chainOf(n)}/shielded/nullifiers/${nf}`)).body;
/** The chain's count of txs refused with NULLIFIER_SPENT (REST and P2P alike). */
async function refusedSpends(n: DevnetNode): Promise<number> {
  const text = await (await fetch(`${chainOf(n)}/metrics`)).text();
  const m = /^chain_txs_rejected_total\{reason="NULLIFIER_SPENT"[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
const pools = () =>
  Promise.all(state.nodes.map(async (n) => (await get(`${chainOf(n)}/shielded`)).body.pool));
const oneTip = (idx: number[]) => sharedTip(nodes(idx));
/** Mines on `who` until it is `blocks` above where it was, then stops. */
async function mine(who: DevnetNode, blocks: number): Promise<void> {
  expect(await mineBlocks(who, state.apiToken, blocks), `${who.name} mined ${blocks}`).toBe(true);
}
async function post(n: DevnetNode, stx: SignedTransaction): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${chainOf(n)}/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(jsonOf(stx)),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}
const nullifiersOf = (stx: SignedTransaction) =>
  (stx.tx as ShieldedTransferTx).nullifiers.map((nf) => Buffer.from(nf).toString("hex"));

beforeAll(async () => {
  state = await devnet.up({
    nodes: NODES,
    miners: 2,
    portBase: await freePortBase(NODES),
    readyTimeoutMs: 240_000,
    consensus: { initialTarget: "f".repeat(64), retargetWindow: 100_000 },
  });
  chains = state.nodes.map(chainOf);
}, 300_000);
afterAll(async () => {
  for (const p of peers) p.close();
  await devnet.down({ wipe: passed }).catch(() => undefined);
  if (!passed) console.info(`devnet kept at ${dir}`);
}, 120_000);

describe("a shielded spend mined on a branch that loses", () => {
  it("is unspent again on every node after the reorg, is mined once, and then a second spend of its note is refused everywhere", async () => {
    // One chain, nobody mining: the test decides who mines what.
    const [n0, n1] = nodes([0, 1]) as [DevnetNode, DevnetNode];
    expect(await waitUntil(async () => ((await tip(n0))?.height ?? 0) >= 2, 120_000, 250)).toBe(true);
    for (const n of [n0, n1]) await setMining(n, "stop", state.apiToken);
    const highest = Math.max(...(await Promise.all(state.nodes.map(tip))).map((t) => t?.height ?? 0));
    await mine(n0, highest + 2 - (await tip(n0))!.height);
    expect(await waitUntil(async () => (await oneTip([0, 1, 2, 3])) !== undefined, 120_000, 250)).toBe(true);

    // A note for key A on the common chain.
    const cliEnv = { PATH: process.env.PATH, P2PNODE_DEVNET_DIR: dir };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: cliEnv, timeout: 600_000 });
    expect(cli("shielded", "--key", kb, "address").status).toBe(0);
    const shield = cli(
      "shielded",
      "--key",
      ka,
      "shield",
      "--wallet",
      devnet.faucetFile,
      "--amount",
      `${SHIELD}u`,
    );
    expect(shield.status, shield.stderr).toBe(0);
    const shieldId = /submitted ([0-9a-f]{64})/.exec(shield.stdout)![1]!;
    expect(await waitUntil(async () => (await txStatus(n0, shieldId)) === "pending", 60_000, 200)).toBe(true);
    await mine(n0, 1);
    expect(
      await waitUntil(async () => (await pools()).every((p) => p === SHIELD.toString()), 120_000, 250),
    ).toBe(true);
    expect(await waitUntil(async () => (await oneTip([0, 1, 2, 3])) !== undefined, 60_000, 250)).toBe(true);
    const forkHeight = (await tip(n0))!.height;
    [skA, skB] = [loadSpendingKey(ka, false), loadSpendingKey(kb, false)];

    // Two proofs of one spend of that note: two transactions publishing the same nullifiers.
    const { txs } = await proveTransferTwice(chains[0]!, serviceUrls(n0).zkp!, skA, skB, PAY, FEE);
    const [first, second] = txs;
    const [id1, id2] = [idOf(first), idOf(second)];
    expect(id1).not.toBe(id2);
    const nfs = nullifiersOf(first);
    expect(nullifiersOf(second)).toEqual(nfs);

    // The split; the spend reaches side A only and is mined there.
    await partition(state, [SIDE_A, SIDE_B]);
    const ids = state.nodes.map(nodeIdOf);
    expect(
      await waitUntil(
        async () =>
          (await gatewayPeers(n0)).every((p) => p.id === ids[2]) &&
          (await gatewayPeers(n1)).every((p) => p.id === ids[3]),
        30_000,
        250,
      ),
    ).toBe(true);
    expect(await post(state.nodes[2]!, first)).toEqual({ status: 202, code: undefined });
    expect(await waitUntil(async () => (await txStatus(n0, id1)) === "pending", 30_000, 200)).toBe(true);
    await mine(n0, 2);
    expect(
      await waitUntil(
        async () =>
          (await Promise.all(nodes(SIDE_A).map((n) => txStatus(n, id1)))).every((s) => s === "mined"),
        60_000,
        200,
      ),
    ).toBe(true);
    for (const n of nodes(SIDE_A))
      for (const nf of nfs) expect((await nullifier(n, nf)).spent, `${n.name} ${nf}`).toBe(true);
    for (const n of nodes(SIDE_B)) {
      expect(await txStatus(n, id1)).toBe("unknown");
      for (const nf of nfs)
        expect(await nullifier(n, nf)).toEqual({ nullifier: nf, spent: false, pendingTx: null });
    }
    const heightA = (await tip(n0))!.height;
    // Side B: a longer branch without the spend.
    await mine(n1, heightA - forkHeight + 3);
    expect(await waitUntil(async () => (await oneTip(SIDE_B)) !== undefined, 60_000, 200)).toBe(true);
    const heavier = (await tip(n1))!;
    expect(heavier.height).toBeGreaterThan(heightA);

    // Heal: every node takes B's chain, and the spend is undone everywhere.
    await heal(state, [
      [0, 1],
      [2, 3],
    ]);
    expect(
      await waitUntil(async () => (await oneTip([0, 1, 2, 3])) === heavier.hash, 120_000, 250),
      JSON.stringify(await Promise.all(state.nodes.map(tip))),
    ).toBe(true);
    for (const n of state.nodes) {
      for (const nf of nfs)
        expect((await nullifier(n, nf)).spent, `${n.name} ${nf} after the reorg`).toBe(false);
      expect(await txStatus(n, id1), n.name).not.toBe("mined");
    }
    // Back in the mempool of the nodes whose branch lost, its nullifiers pending there again.
    for (const n of nodes(SIDE_A)) {
      expect(await txStatus(n, id1), n.name).toBe("pending");
      for (const nf of nfs) expect((await nullifier(n, nf)).pendingTx).toBe(id1);
    }
    expect(await pools()).toEqual(state.nodes.map(() => SHIELD.toString()));

    // Mined once on the winning chain, by a side-A miner (it holds the spend).
    await mine(n0, 1);
    expect(
      await waitUntil(
        async () => (await Promise.all(state.nodes.map((n) => txStatus(n, id1)))).every((s) => s === "mined"),
        120_000,
        250,
      ),
    ).toBe(true);
    expect(await waitUntil(async () => (await oneTip([0, 1, 2, 3])) !== undefined, 60_000, 250)).toBe(true);
    const where = await Promise.all(
      state.nodes.map(
        async (n) => (await get<{ block: { hash: string } }>(`${chainOf(n)}/txs/${id1}`)).body.block.hash,
      ),
    );
    expect(new Set(where).size).toBe(1);
    let copies = 0;
    const top = (await tip(n0))!.height;
    for (let h = forkHeight + 1; h <= top; h++) {
      const b = (await get<{ txs: { id?: string }[] }>(`${chains[0]}/blocks/${h}`)).body;
      copies += b.txs.filter((t) => t.id === id1).length;
    }
    expect(copies).toBe(1);
    for (const n of state.nodes)
      for (const nf of nfs)
        expect(await nullifier(n, nf)).toEqual({ nullifier: nf, spent: true, pendingTx: null });
    expect(
      await waitUntil(async () => (await pools()).every((p) => p === (SHIELD - FEE).toString()), 60_000, 250),
    ).toBe(true);

    // The second spend of the note: refused with NULLIFIER_SPENT by every node, over REST and P2P.
    const info = (await get(`${chains[0]}/info`)).body;
    const network = { chainId: info.chainId as string, genesisHash: info.genesisHash as string };
    for (const n of state.nodes) peers.push(await ProtocolPeer.connect(nodePorts(n).p2p, network));
    for (const [i, n] of state.nodes.entries()) {
      const before = await refusedSpends(n);
      expect(await post(n, second), `${n.name} over REST`).toEqual({ status: 400, code: "NULLIFIER_SPENT" });
      expect(await refusedSpends(n)).toBe(before + 1);
      // Over P2P: the gateway hands it to the chain, which refuses it with the same reason (its
      // counter), and the gateway logs the reason against the sending peer (a stale spend may be
      // an honest race, so it costs no score and leaves no score event).
      peers[i]!.send({ type: "tx", tx: bytesOf(second) });
      const line = `"peer":"${peers[i]!.nodeIdHex.slice(0, 16)}","kind":"UNWANTED_TX","detail":"tx ${id2.slice(0, 16)}: NULLIFIER_SPENT"`;
      const seen = await waitUntil(
        async () => (await refusedSpends(n)) >= before + 2 && readFileSync(n.logFile, "utf8").includes(line),
        60_000,
        200,
      );
      expect(seen, `${n.name} over P2P`).toBe(true);
    }
    for (const n of state.nodes) expect(await txStatus(n, id2), n.name).toBe("unknown");

    // One miner alone extends the chain: every node ends on its tip, the note still spent once.
    const end = Math.max(...(await Promise.all(state.nodes.map(tip))).map((t) => t?.height ?? 0));
    await mine(n1, end + 2 - (await tip(n1))!.height);
    expect(await waitUntil(async () => (await oneTip([0, 1, 2, 3])) !== undefined, 120_000, 250)).toBe(true);
    for (const n of state.nodes) {
      expect(await txStatus(n, id1)).toBe("mined");
      expect(await txStatus(n, id2)).toBe("unknown");
    }
    expect(await pools()).toEqual(state.nodes.map(() => (SHIELD - FEE).toString()));
    passed = true;
  }, 900_000);
});
