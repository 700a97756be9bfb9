import {
  blockToJson,
  encodeBlock,
  encodeSignedTransaction,
  HEADER_SIZE,
  headerFromJson,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import { headerHash, txId } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { GatewaySubjects } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTx } from "./helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

let a: GatewayNode;
let b: GatewayNode;
let c: GatewayNode;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startGatewayNode(), startGatewayNode(), startGatewayNode()]);
  // A line: a — b — c (a and c are not connected).
  expect((await connect(a, b)).status).toBe(200);
  expect((await connect(b, c)).status).toBe(200);
});
afterAll(async () => {
  await Promise.all([a, b, c].map((n) => n?.stop()));
});

describe("relay", () => {
  it("a tx accepted by A's chain reaches B's and C's chains through B", async () => {
    const stx = makeTx("relay-tx");
    const id = toHex(txId(stx));
    a.chain.acceptTx(signedTransactionToJson(stx), false);
    await eventually(() => c.chain.txs.has(id), Boolean);
    expect(b.chain.submittedTxs).toContain(id);
    expect(c.chain.submittedTxs.filter((x) => x === id)).toHaveLength(1);
  });

  it("a block mined on A reaches C through B, and the seen-cache stops re-broadcast", async () => {
    const hash = a.chain.mine([makeTx("in-block")]);
    await eventually(() => c.chain.tipHash === hash, Boolean);
    expect(b.chain.tipHash).toBe(hash);
    // Each node submitted it once: duplicates from other announcers are filtered before the chain.
    expect(c.chain.submittedBlocks.filter((h) => h === hash)).toHaveLength(1);
    expect(a.chain.submittedBlocks).not.toContain(hash);
  });

  it("tells a new peer the tip it reached during the handshake, not only the one in its payload", async () => {
    const before = a.gateway.localTip.height;
    let mined = "";
    const peer = await RawPeer.connect(a.p2pPort, a.network, {
      // A's payload (height `before`) is on its way; A mines while it waits for our last message.
      beforeLastMessage: async () => {
        mined = a.chain.mine();
        await eventually(
          () => a.gateway.localTip.height,
          (h) => h === before + 1,
        );
      },
    });
    try {
      const status = await eventually(
        () => peer.received.find((m) => m.type === "status" && m.height === before + 1),
        Boolean,
      );
      expect(status?.type === "status" && toHex(status.tipHash)).toBe(mined);
    } finally {
      peer.close();
    }
  });

  it("serves the chain's sync: a late joiner's peer tip, headers and bodies fetched from one peer", async () => {
    for (let i = 0; i < 5; i++) a.chain.mine();
    const late = await startGatewayNode();
    try {
      const tips: { peer: string; height: number }[] = [];
      await late.chain.bus.subscribe(GatewaySubjects.peerTip, (e) => {
        tips.push(e);
      });
      expect((await connect(late, a)).status).toBe(200);
      const aId = a.gateway.nodeIdHex;
      // The handshake showed more work than ours: the chain's sync is told.
      await eventually(() => tips.find((t) => t.peer === aId), Boolean);
      const { peers } = await late.chain.bus.request(GatewaySubjects.syncPeers, {});
      expect(peers.find((p) => p.id === aId)?.height).toBe(a.chain.height);
      const { headers } = await late.chain.bus.request(GatewaySubjects.headersFetch, {
        peer: aId,
        locator: [],
        max: 2_000,
      });
      expect(headers.map((h) => h.height)).toEqual(Array.from({ length: a.chain.height }, (_, i) => i + 1));
      const hashes = headers.map((h) => toHex(headerHash(headerFromJson(h))));
      const { blocks } = await late.chain.bus.request(GatewaySubjects.blocksFetch, { peer: aId, hashes });
      expect(blocks.map((b) => toHex(headerHash(b.subarray(0, HEADER_SIZE))))).toEqual(hashes);
      expect(hashes.at(-1)).toBe(a.chain.tipHash);
      // Sync blocks go back to the asker, not to the chain by the relay path.
      expect(late.chain.submittedBlocks).toHaveLength(0);
      const { score } = await late.chain.bus.request(GatewaySubjects.peerPenalize, {
        peer: aId,
        reason: "test: bad headers",
      });
      expect(score).toBeLessThan(0);
    } finally {
      await late.stop();
    }
  });

  it("never sends a peer what it announced", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    try {
      const stx = makeTx("from-raw");
      const id = toHex(txId(stx));
      raw.send({ type: "inv", items: [{ kind: "tx", hash: txId(stx) }] });
      await eventually(() => raw.received.some((m) => m.type === "getData"), Boolean);
      raw.send({ type: "tx", tx: encodeSignedTransaction(stx) });
      await eventually(() => c.chain.txs.has(id), Boolean); // relayed on through a → b → c
      // Another tx accepted on A afterwards is announced to the raw peer: the link works.
      const other = makeTx("after");
      a.chain.acceptTx(signedTransactionToJson(other), false);
      await eventually(() => raw.invHashes().includes(toHex(txId(other))), Boolean);
      expect(raw.invHashes()).not.toContain(id);

      // Same for a block the raw peer sends unannounced.
      const block = a.chain.nextBlock();
      const bh = toHex(headerHash(block.header));
      raw.send({ type: "block", block: encodeBlock(block) });
      await eventually(() => c.chain.tipHash === bh, Boolean);
      expect(raw.invHashes()).not.toContain(bh);
      expect(blockToJson(block).header.height).toBe(a.chain.height);
    } finally {
      raw.close();
    }
  });

  it("holds a tx that arrives before its sender's previous one and submits both in order", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    try {
      const [t1, t2] = [makeTx("first"), makeTx("second")];
      if (t1.tx.kind !== "transfer") throw new Error("a transfer");
      a.chain.nextNonce.set(toHex(t1.tx.from), t1.tx.nonce);
      raw.send({ type: "tx", tx: encodeSignedTransaction(t2) });
      await eventually(() => a.chain.submittedTxs.includes(toHex(txId(t2))), Boolean);
      expect(a.chain.txs.has(toHex(txId(t2)))).toBe(false);
      raw.send({ type: "tx", tx: encodeSignedTransaction(t1) });
      await eventually(() => a.chain.txs.has(toHex(txId(t2))), Boolean);
      expect(a.chain.txs.has(toHex(txId(t1)))).toBe(true);
    } finally {
      a.chain.nextNonce.clear();
      raw.close();
    }
  });

  it("reports peers, scores, the network graph and per-type stats over REST", async () => {
    const peers = (await b.svc.ctx.app.inject({ url: "/peers" })).json().peers;
    expect(peers.map((p: { id: string }) => p.id).sort()).toEqual(
      [a.gateway.nodeIdHex, c.gateway.nodeIdHex].sort(),
    );
    const graph = (await b.svc.ctx.app.inject({ url: "/network" })).json();
    expect(graph.self).toBe(b.gateway.nodeIdHex);
    expect(graph.edges.length).toBeGreaterThanOrEqual(2);
    const stats = (await b.svc.ctx.app.inject({ url: "/stats" })).json();
    expect(stats.messages.inv.received.count).toBeGreaterThan(0);
    expect(stats.messages.block.received.count).toBeGreaterThan(0);
    const score = (await a.svc.ctx.app.inject({ url: `/peers/${b.gateway.nodeIdHex}/score` })).json();
    expect(score.connected).toBe(true);
    const metrics = await a.svc.ctx.app.inject({ url: "/metrics" });
    expect(metrics.body).toMatch(/p2p_messages_total\{type="inv",direction="sent"/);
    expect(metrics.body).toContain("p2p_block_propagation_seconds_bucket");
  });
});
