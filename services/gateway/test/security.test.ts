import { randomBytes } from "node:crypto";
import {
  encodeBlock,
  encodeSignedTransaction,
  P2P_MESSAGE_CODES,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { eventually, startTestService } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayService } from "../src/api.js";
import { CLOSE_CODES } from "../src/errors.js";
import { sealedLimit } from "../src/peer-manager.js";
import { makeTx } from "./helpers/chain-stub.js";
import { ADMIN, connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

let a: GatewayNode;
let b: GatewayNode;

const bans = async (n: GatewayNode) =>
  (await n.svc.ctx.app.inject({ url: "/bans" }))
    .json()
    .bans.map((x: { target: string }) => x.target) as string[];
const score = async (n: GatewayNode, id: string) =>
  (await n.svc.ctx.app.inject({ url: `/peers/${id}/score` })).json();

beforeAll(async () => {
  [a, b] = await Promise.all([startGatewayNode(), startGatewayNode()]);
  expect((await connect(b, a)).status).toBe(200);
});
afterAll(async () => {
  await Promise.all([a, b].map((n) => n?.stop()));
});

/** The honest link a–b still carries blocks both ways. */
async function honestStillExchanging(): Promise<void> {
  const hash = a.chain.mine([makeTx()]);
  await eventually(() => b.chain.tipHash === hash, Boolean);
  const back = b.chain.mine();
  await eventually(() => a.chain.tipHash === back, Boolean);
  const ids = (await a.svc.ctx.app.inject({ url: "/peers" })).json().peers.map((p: { id: string }) => p.id);
  expect(ids).toContain(b.gateway.nodeIdHex);
}

describe("misbehaving peers are disconnected and banned; honest peers keep exchanging", () => {
  it("garbage frames: BAD_FRAME, banned, refused on reconnect, unbanned by an admin", async () => {
    const seed = new Uint8Array(randomBytes(32));
    const raw = await RawPeer.connect(a.p2pPort, a.network, { seed });
    raw.sendWire(new Uint8Array(randomBytes(200)));
    await eventually(() => raw.closed, Boolean);
    expect(raw.closeCode).toBe(CLOSE_CODES.BAD_FRAME);
    await eventually(
      () => bans(a),
      (l) => l.includes(raw.nodeIdHex),
    );
    const s = await score(a, raw.nodeIdHex);
    expect(s.banned).toBe(true);
    expect(s.events[0]).toMatchObject({ kind: "BAD_FRAME", delta: -100 });
    await expect(RawPeer.connect(a.p2pPort, a.network, { seed })).rejects.toMatchObject({ code: "BANNED" });
    const del = await a.svc.ctx.app.inject({
      method: "DELETE",
      url: `/bans/${raw.nodeIdHex}`,
      headers: ADMIN,
    });
    expect(del.statusCode).toBe(200);
    const again = await RawPeer.connect(a.p2pPort, a.network, { seed });
    again.close();
    await honestStillExchanging();
  });

  it("an over-size frame (over 4 MiB) is refused and banned", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    raw.sendWire(new Uint8Array(sealedLimit(4 * 1024 * 1024) + 1));
    await eventually(() => raw.closed, Boolean);
    await eventually(
      () => bans(a),
      (l) => l.includes(raw.nodeIdHex),
    );
    expect((await score(a, raw.nodeIdHex)).events[0].kind).toBe("OVERSIZE_FRAME");
    await honestStillExchanging();
  });

  it("an undecodable message closes the connection (MALFORMED_MESSAGE) and costs 50 points", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    raw.sendPlain(new Uint8Array([P2P_MESSAGE_CODES.inv, 0xff, 0x00]));
    await eventually(() => raw.closed, Boolean);
    expect(raw.closeCode).toBe(CLOSE_CODES.MALFORMED_MESSAGE);
    expect((await score(a, raw.nodeIdHex)).score).toBe(-50);
  });

  it("an invalid block gets its sender banned; the block is not relayed", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    const bad = a.chain.nextBlock([makeTx()], { txRoot: new Uint8Array(32).fill(7) });
    raw.send({ type: "block", block: encodeBlock(bad) });
    await eventually(() => raw.closed, Boolean);
    expect(raw.closeCode).toBe(CLOSE_CODES.MISBEHAVIOUR);
    expect(a.chain.rejected.at(-1)?.code).toBe("BAD_MERKLE_ROOT");
    expect(await bans(a)).toContain(raw.nodeIdHex);
    expect(b.chain.rejected).toHaveLength(0);
    await honestStillExchanging();
  });

  it("a message flood is cut off by the token bucket and banned", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    for (let i = 0; i < 3_000 && !raw.closed; i++) raw.send({ type: "getAddr" });
    await eventually(() => raw.closed, Boolean);
    expect(raw.closeCode).toBe(CLOSE_CODES.MISBEHAVIOUR);
    const s = await score(a, raw.nodeIdHex);
    expect(s.banned).toBe(true);
    expect(s.events.every((e: { kind: string }) => e.kind === "FLOOD")).toBe(true);
    await honestStillExchanging();
  });

  it("a frame captured on the wire does not contain the plaintext of the tx it carries", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    const memo = `secret-memo-${toHex(randomBytes(8))}`;
    const stx = makeTx(memo);
    const encoded = encodeSignedTransaction(stx);
    a.chain.acceptTx(signedTransactionToJson(stx), false);
    await eventually(() => raw.invHashes().includes(toHex(txId(stx))), Boolean);
    raw.send({ type: "getData", items: [{ kind: "tx", hash: txId(stx) }] });
    await eventually(() => raw.received.some((m) => m.type === "tx"), Boolean);
    const got = raw.received.find((m) => m.type === "tx");
    expect(got?.type === "tx" && Buffer.from(got.tx).equals(Buffer.from(encoded))).toBe(true);
    const wire = Buffer.concat(raw.wire);
    expect(wire.includes(Buffer.from(memo))).toBe(false);
    expect(wire.includes(Buffer.from(encoded))).toBe(false);
    expect(wire.includes(Buffer.from(stx.signature))).toBe(false);
    raw.close();
  });

  it("bans survive a restart of the gateway", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    const ban = await a.svc.ctx.app.inject({
      method: "POST",
      url: "/bans",
      headers: ADMIN,
      payload: { target: raw.nodeIdHex, reason: "test" },
    });
    expect(ban.statusCode).toBe(200);
    await eventually(() => raw.closed, Boolean);
    await a.svc.stop();
    a.svc = await startTestService(createGatewayService({ options: { discovery: false } }), a.node, {
      P2PNODE_P2P_PORT: String(a.p2pPort),
      P2PNODE_DEVNET: "1",
    });
    expect(await bans(a)).toContain(raw.nodeIdHex);
    const noAuth = await a.svc.ctx.app.inject({
      method: "POST",
      url: "/bans",
      payload: { target: "10.0.0.1" },
    });
    expect(noAuth.statusCode).toBe(401);
  });
});
