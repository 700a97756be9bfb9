import { encodeSignedTransaction, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTx } from "./helpers/chain-stub.js";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

/*
 * The per-peer message bucket (500/s, burst 2,000) guards against floods of messages nobody asked
 * for. Txs a peer sends because we asked for them (getData after its inv) are not a flood: we
 * chose how many to ask for (up to 5,000 outstanding per peer), and an honest peer answers them
 * as fast as it can. Charged to the bucket, a burst of more than ~2,500 got the honest link
 * penalised per dropped tx and banned.
 */

// A small bucket, so that the burst is over it however slowly a loaded machine takes it in: at
// 20/s, 1,000 messages fit only if taking them in lasted 45 s.
const BURST = 1_000;
let a: GatewayNode;
beforeAll(async () => {
  a = await startGatewayNode({ options: { messagesPerSecond: 20, messageBurst: 100 } });
});
afterAll(async () => {
  await a?.stop();
});

describe("a burst we requested is not a flood", () => {
  it("1,000 txs sent back to back in answer to our getData all reach the chain, with no penalty", async () => {
    const peer = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.92.0.1" });
    const txs = Array.from({ length: BURST }, (_, i) => encodeSignedTransaction(makeTx(`burst-${i}`)));
    const ids = txs.map((t) => toHex(txId(t)));
    peer.send({ type: "inv", items: txs.map((t) => ({ kind: "tx" as const, hash: txId(t) })) });
    const requested = () =>
      new Set(peer.received.flatMap((m) => (m.type === "getData" ? m.items.map((i) => toHex(i.hash)) : [])));
    await eventually(requested, (s) => ids.every((id) => s.has(id)));
    for (const tx of txs) peer.send({ type: "tx", tx });
    await eventually(
      () => new Set(a.chain.submittedTxs),
      (s) => ids.every((id) => s.has(id)),
    );
    expect(peer.closed).toBe(false);
    expect(a.gateway.scores.events(peer.nodeIdHex).filter((e) => e.kind === "FLOOD")).toEqual([]);
    expect(a.gateway.bans.isBanned(peer.nodeIdHex)).toBe(false);
    peer.close();
  });

  it("1,000 txs unasked are cut off by the bucket, and the sender is banned", async () => {
    const peer = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.93.0.1" });
    const txs = Array.from({ length: BURST }, (_, i) => encodeSignedTransaction(makeTx(`flood-${i}`)));
    for (let i = 0; i < txs.length && !peer.closed; i++) peer.send({ type: "tx", tx: txs[i]! });
    await eventually(() => peer.closed, Boolean);
    expect(a.gateway.scores.events(peer.nodeIdHex).some((e) => e.kind === "FLOOD")).toBe(true);
    expect(a.gateway.bans.isBanned(peer.nodeIdHex)).toBe(true);
  });
});
