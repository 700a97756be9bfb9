import { decodeBlock, headerToJson } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import type { BlockHeaderJson } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { type AcceptedBlock, ChainIntake } from "../src/intake.js";
import { hex, unhex } from "../src/store.js";
import { blockByHash, headersAfter } from "../src/sync/serve.js";
import { pickBest, SyncManager, type SyncNetwork, type SyncPeer } from "../src/sync/sync-manager.js";
import {
  alice,
  balance,
  bob,
  extend,
  makeBlock,
  minerB,
  openChain,
  testGenesis,
  transfer,
} from "./helpers.js";

const genesis = testGenesis({ retargetWindow: 20 });
const opened: Chain[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.store.close();
  announced.length = 0;
});
const open = () => {
  const c = openChain(genesis);
  opened.push(c);
  return c;
};

type Behaviour = "honest" | "bad-headers" | "withhold" | "stall" | "liar";
interface SimPeer {
  chain: Chain;
  latencyMs: number;
  behaviour: Behaviour;
}

/** Peers that answer from their own Chain with the same code the NATS edge uses. */
class SimNet implements SyncNetwork {
  readonly penalties: { peer: string; reason: string }[] = [];
  readonly served = new Map<string, number>();
  constructor(readonly peersById: Map<string, SimPeer>) {}

  async peers(): Promise<SyncPeer[]> {
    return [...this.peersById].map(([id, p]) => ({
      id,
      totalWork: p.behaviour === "liar" ? p.chain.tipBlock.totalWork * 100n : p.chain.tipBlock.totalWork,
      height: p.chain.tipBlock.height,
      latencyMs: p.latencyMs,
    }));
  }

  async headers(peer: string, locator: string[], max: number): Promise<BlockHeaderJson[]> {
    const p = this.peersById.get(peer)!;
    const out = headersAfter(p.chain, locator, max).map(headerToJson);
    if (p.behaviour === "bad-headers" && out.length > 5)
      out[5] = { ...out[5]!, timestamp: out[5]!.timestamp + 1 };
    return out;
  }

  async blocks(peer: string, hashes: string[]) {
    const p = this.peersById.get(peer)!;
    if (p.behaviour === "stall") return new Promise<never>(() => undefined);
    this.served.set(peer, (this.served.get(peer) ?? 0) + hashes.length);
    if (p.behaviour === "withhold") return [];
    return hashes.map((h) => p.chain.store.blockBody(unhex(h))!);
  }

  penalize(peer: string, reason: string): void {
    this.penalties.push({ peer, reason });
  }
}

/** What the intake announced: sync blocks take the same path as every other block. */
const announced: AcceptedBlock[] = [];
const sync = (chain: Chain, net: SimNet, o = {}) =>
  new SyncManager(
    { headersPerRequest: 50, blocksPerRequest: 8, maxInFlight: 4, stallMs: 300, ...o },
    {
      chain,
      intake: new ChainIntake({
        chain,
        metrics: undefined,
        events: { blockAccepted: (e) => void announced.push(e), txAccepted: () => undefined },
      }),
      net,
    },
  );

describe("headers-first sync", () => {
  it("brings a fresh node to the peer's tip across retarget windows, in batches of headers", async () => {
    const remote = open();
    extend(remote, 130);
    const node = open();
    const net = new SimNet(new Map([["a", { chain: remote, latencyMs: 10, behaviour: "honest" as const }]]));
    const s = sync(node, net);
    await s.sync();
    expect(hex(node.tipBlock.hash)).toBe(hex(remote.tipBlock.hash));
    expect(node.tipBlock.totalWork).toBe(remote.tipBlock.totalWork);
    expect(net.penalties).toEqual([]);
    expect(s.progress()).toMatchObject({ state: "idle", height: 130 });
  });

  it("applies bodies through the chain's intake: each block is announced with its bytes and total work", async () => {
    const remote = open();
    extend(remote, 12);
    const node = open();
    const net = new SimNet(new Map([["a", { chain: remote, latencyMs: 1, behaviour: "honest" as const }]]));
    await sync(node, net).sync();
    expect(announced.map((e) => e.height)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const last = announced.at(-1)!;
    expect(last.totalWork).toBe(remote.tipBlock.totalWork);
    expect(last.block).toEqual(remote.store.blockBody(remote.tipBlock.hash));
  });

  it("downloads bodies from several peers in parallel", async () => {
    const a = open();
    extend(a, 60);
    const b = open();
    for (let h = 1; h <= 60; h++) b.submitBlock(blockByHashToBlock(a, h));
    const node = open();
    const net = new SimNet(
      new Map([
        ["a", { chain: a, latencyMs: 5, behaviour: "honest" as const }],
        ["b", { chain: b, latencyMs: 7, behaviour: "honest" as const }],
      ]),
    );
    await sync(node, net).sync();
    expect(node.tipBlock.height).toBe(60);
    expect(net.served.get("a")).toBeGreaterThan(0);
    expect(net.served.get("b")).toBeGreaterThan(0);
  });

  it("drops a peer serving bad headers and finishes from another", async () => {
    const honest = open();
    extend(honest, 40);
    const bad = open();
    for (let h = 1; h <= 40; h++) bad.submitBlock(blockByHashToBlock(honest, h));
    const node = open();
    const net = new SimNet(
      new Map([
        ["bad", { chain: bad, latencyMs: 1, behaviour: "bad-headers" as const }],
        ["good", { chain: honest, latencyMs: 50, behaviour: "honest" as const }],
      ]),
    );
    await sync(node, net).sync();
    expect(hex(node.tipBlock.hash)).toBe(hex(honest.tipBlock.hash));
    expect(net.penalties.map((p) => p.peer)).toContain("bad");
    // With the test target every hash passes PoW, so the tampered header breaks the linkage of the next one.
    expect(net.penalties.find((p) => p.peer === "bad")!.reason).toMatch(
      /^bad headers: (PREV_HASH_MISMATCH|INVALID_POW|BAD_TIMESTAMP)$/,
    );
  });

  it.each(["withhold", "stall"] as const)("recovers when a peer %ss bodies", async (behaviour) => {
    const honest = open();
    extend(honest, 30);
    const other = open();
    for (let h = 1; h <= 30; h++) other.submitBlock(blockByHashToBlock(honest, h));
    const node = open();
    const net = new SimNet(
      new Map([
        ["x", { chain: other, latencyMs: 1, behaviour }],
        ["good", { chain: honest, latencyMs: 90, behaviour: "honest" as const }],
      ]),
    );
    await sync(node, net).sync();
    expect(node.tipBlock.height).toBe(30);
    expect(net.penalties.map((p) => p.peer)).toContain("x");
  });

  it("penalises a peer that announces work its headers do not carry, and changes nothing", async () => {
    const liar = open();
    extend(liar, 3);
    const node = open();
    extend(node, 5);
    const before = hex(node.tipBlock.hash);
    const net = new SimNet(new Map([["liar", { chain: liar, latencyMs: 1, behaviour: "liar" as const }]]));
    await sync(node, net).sync();
    expect(hex(node.tipBlock.hash)).toBe(before);
    expect(net.penalties).toEqual([{ peer: "liar", reason: "announced more work than its headers carry" }]);
  });

  it("does not blame a peer whose blocks reached us by relay while its headers were on the way", async () => {
    const remote = open();
    extend(remote, 10);
    const node = open();
    const net = new (class extends SimNet {
      override async headers(peer: string, locator: string[], max: number): Promise<BlockHeaderJson[]> {
        const out = await super.headers(peer, locator, max);
        // The same blocks arrive by relay (announced one by one) before this answer does.
        for (let h = node.tipBlock.height + 1; h <= remote.tipBlock.height; h++)
          node.submitBlock(blockByHashToBlock(remote, h));
        return out;
      }
    })(new Map([["a", { chain: remote, latencyMs: 1, behaviour: "honest" as const }]]));
    await sync(node, net).sync();
    expect(hex(node.tipBlock.hash)).toBe(hex(remote.tipBlock.hash));
    // Two such blames ban the peer (BAD_SYNC_ANSWER, -50 each): an honest miner cut off for a day.
    expect(net.penalties).toEqual([]);
  });
});

describe("fork resolution through sync", () => {
  it("reorgs to a peer's heavier branch; the losing branch's tx returns to the mempool; no balance counted twice", async () => {
    const common = open();
    extend(common, 5);
    const node = open();
    const peer = open();
    for (let h = 1; h <= 5; h++) {
      node.submitBlock(blockByHashToBlock(common, h));
      peer.submitBlock(blockByHashToBlock(common, h));
    }
    const tx = transfer(alice, bob, 1_000n, 0);
    node.submitBlock(makeBlock(node, { txs: [tx] }));
    extend(node, 1);
    extend(peer, 6, { miner: minerB });
    expect(peer.tipBlock.totalWork).toBeGreaterThan(node.tipBlock.totalWork);
    const bobBefore = balance(node, bob);

    const net = new SimNet(new Map([["p", { chain: peer, latencyMs: 3, behaviour: "honest" as const }]]));
    await sync(node, net).sync();
    expect(hex(node.tipBlock.hash)).toBe(hex(peer.tipBlock.hash));
    expect(balance(node, bob)).toBe(bobBefore - 1_000n);
    expect(balance(node, bob)).toBe(balance(peer, bob));
    expect(node.mempool.has(hex(txId(tx)))).toBe(true);
  });

  it("stays off a heavier chain that forks below the reorg limit, without blaming its peer", async () => {
    const node = openChain(genesis, { maxReorgDepth: 3 });
    opened.push(node);
    extend(node, 5);
    const peer = open();
    extend(peer, 8, { miner: minerB });
    const before = hex(node.tipBlock.hash);
    const net = new SimNet(new Map([["p", { chain: peer, latencyMs: 1, behaviour: "honest" as const }]]));
    const manager = sync(node, net);
    await manager.sync();
    expect(hex(node.tipBlock.hash)).toBe(before);
    // The peer's chain is valid; only this node's reorg limit keeps it off (a ban would cut it
    // from a network it may yet rejoin by hand, e.g. a fresh data dir).
    expect(net.penalties).toEqual([]);
    // Connected and no peer it can follow: the node counts as caught up (it may mine).
    expect(manager.caughtUp).toBe(true);
  });

  it("never moves to a lighter chain", async () => {
    const node = open();
    extend(node, 8);
    const lighter = open();
    extend(lighter, 4, { miner: minerB });
    const tip = hex(node.tipBlock.hash);
    const net = new SimNet(new Map([["l", { chain: lighter, latencyMs: 1, behaviour: "honest" as const }]]));
    await sync(node, net).sync();
    expect(hex(node.tipBlock.hash)).toBe(tip);
  });
});

describe("peer choice", () => {
  it("prefers the most work, then the lowest latency", () => {
    const p = (id: string, w: bigint, l: number | null) => ({ id, totalWork: w, height: 1, latencyMs: l });
    expect(pickBest([p("a", 5n, 10), p("b", 9n, 300), p("c", 9n, 20)], 1n)?.id).toBe("c");
    expect(pickBest([p("a", 5n, 10)], 5n)).toBeUndefined();
    expect(pickBest([p("a", 7n, null), p("b", 7n, 50)], 1n)?.id).toBe("b");
  });
});

/** The block at `height` of `from`'s best chain, as another node would receive it. */
function blockByHashToBlock(from: Chain, height: number) {
  return decodeBlock(blockByHash(from, hex(from.store.mainHashAt(height)!))!.block);
}
