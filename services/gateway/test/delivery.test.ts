import { signedTransactionToJson, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makeTx } from "./helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";

/*
 * Delivery across restarts: chain events are fire-and-forget, so a gateway reconciles with its
 * chain's pool (at start, on the chain's `started` event), announces the whole pool to each new
 * peer, and re-announces txs that stay unmined; a tx a peer could not hand to its chain (down,
 * restarting) is not remembered as seen, so the next announcement delivers it.
 */

const nodes: GatewayNode[] = [];
const start = async (reannounceMs: number) => {
  const n = await startGatewayNode({ options: { reannounceMs } });
  nodes.push(n);
  return n;
};
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe("delivery across restarts", () => {
  it("a newly connected peer is told the whole pool, including txs accepted before it connected", async () => {
    const [a, b] = [await start(60_000), await start(60_000)];
    const stx = makeTx("before-the-peer");
    const id = toHex(txId(stx));
    a.chain.acceptTx(signedTransactionToJson(stx), false);
    expect((await connect(b, a)).status).toBe(200);
    await eventually(() => b.chain.txs.has(id), Boolean);
  });

  it("announces the pool when the chain says it (re)started: events it published meanwhile went nowhere", async () => {
    const [a, b] = [await start(60_000), await start(60_000)];
    expect((await connect(a, b)).status).toBe(200);
    // A first tx crosses, so the link (and its new-peer announcement) is settled.
    const first = makeTx("link-up");
    a.chain.acceptTx(signedTransactionToJson(first), false);
    await eventually(() => b.chain.txs.has(toHex(txId(first))), Boolean);
    a.chain.silent = true; // the tx.accepted event is lost, as while the gateway restarts
    const stx = makeTx("event-lost");
    const id = toHex(txId(stx));
    a.chain.acceptTx(signedTransactionToJson(stx), false);
    a.chain.announceStarted();
    await eventually(() => b.chain.txs.has(id), Boolean);
  });

  it("re-announces a tx that stays unmined: a peer whose chain was down when it first came gets it", async () => {
    const [a, b] = [await start(400), await start(60_000)];
    expect((await connect(a, b)).status).toBe(200);
    b.chain.unavailable = true;
    const stx = makeTx("chain-was-down");
    const id = toHex(txId(stx));
    a.chain.acceptTx(signedTransactionToJson(stx), false);
    await eventually(() => b.chain.submittedTxs.includes(id), Boolean);
    expect(b.chain.txs.has(id)).toBe(false);
    b.chain.unavailable = false;
    // The same peer announces it again; B's seen-cache must not stand in the way.
    await eventually(() => b.chain.txs.has(id), Boolean);
  });
});
