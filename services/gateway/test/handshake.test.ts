import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { genesisDigest } from "@p2pnode/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CLOSE_CODES } from "../src/errors.js";
import { networkIdOf } from "../src/network-id.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

let a: GatewayNode;
let b: GatewayNode;

beforeAll(async () => {
  a = await startGatewayNode();
  // Honest handshakes get the default deadline: on a loaded machine one can take seconds.
  b = await startGatewayNode();
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe("handshake between two gateways over real sockets", () => {
  it("connects, authenticates both NodeIds and measures latency", async () => {
    const r = await connect(a, b);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.id).toBe(b.gateway.nodeIdHex);
    expect(r.body.direction).toBe("outbound");
    const peers = await eventually(
      async () => (await b.svc.ctx.app.inject({ url: "/peers" })).json().peers,
      (p: { id: string; direction: string; latencyMs: number | null }[]) =>
        p.length === 1 && p[0]!.latencyMs !== null,
    );
    expect(peers[0]!.id).toBe(a.gateway.nodeIdHex);
    expect(peers[0]!.direction).toBe("inbound");
  });

  it("refuses a duplicate connection and a connection to itself, with reasons", async () => {
    const dup = await connect(a, b);
    expect(dup.status).toBe(409);
    expect(dup.body.error?.code).toBe("DUPLICATE_PEER");
    const self = await connect(a, a);
    expect(self.status).toBe(409);
    expect(self.body.error?.code).toBe("SELF_CONNECTION");
  });

  it("closes a handshake that does not finish in time", async () => {
    const strict = await startGatewayNode({ options: { handshakeTimeoutMs: 500 } });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${strict.p2pPort}/p2p`);
      const code = await new Promise<number>((resolve) => ws.on("close", (c) => resolve(c)));
      expect(code).toBe(CLOSE_CODES.HANDSHAKE_TIMEOUT);
    } finally {
      await strict.stop();
    }
  });

  it("refuses a replayed handshake message", async () => {
    // Record an honest initiator's three messages, then replay its third message in a new session.
    // Every socket of this process sends through the prototype, the gateways' own pings between
    // a and b included (a loaded machine interleaves them): keep only the honest peer's.
    const sent: { socket: WebSocket; data: Buffer }[] = [];
    const origSend = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      sent.push({ socket: this, data: Buffer.from(data as Uint8Array) });
      return (origSend as (...a: unknown[]) => void).call(this, data, ...rest);
    } as typeof origSend;
    let honest: RawPeer;
    try {
      honest = await RawPeer.connect(b.p2pPort, b.network);
    } finally {
      WebSocket.prototype.send = origSend;
    }
    honest.close();
    const [m1, , m3] = sent.filter((s) => s.socket === honest.ws).map((s) => s.data);
    const ws = new WebSocket(`ws://127.0.0.1:${b.p2pPort}/p2p`);
    await new Promise((r) => ws.once("open", r));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.send(m1!); // the old first message: the responder answers with a fresh ephemeral key
    // Whichever comes first: a close before the answer fails here with its code, not by hanging.
    const first = await Promise.race([
      new Promise<"answered">((r) => ws.once("message", () => r("answered"))),
      closed,
    ]);
    expect(first, "the responder answers a replayed first message").toBe("answered");
    ws.send(m3!); // the old third message cannot authenticate under the new keys
    const c = await closed;
    expect(c).toEqual({ code: CLOSE_CODES.BAD_HANDSHAKE, reason: "BAD_HANDSHAKE" });
  });
});

describe("wrong network", () => {
  it("refuses a peer with another chain id or genesis, with the reason, in both directions", async () => {
    const other = await startGatewayNode({ genesis: { chainId: "other-chain" } });
    const fork = await startGatewayNode({ genesis: { timestamp: 1_700_000_000_001 } });
    try {
      const out = await connect(a, other);
      expect(out.body.error?.code).toBe("WRONG_CHAIN");
      const inbound = await connect(other, a);
      expect(inbound.body.error?.code).toBe("WRONG_CHAIN");
      const g1 = await connect(a, fork);
      expect(g1.body.error?.code).toBe("WRONG_GENESIS");
      const g2 = await connect(fork, a);
      expect(g2.body.error?.code).toBe("WRONG_GENESIS");
      for (const n of [a, other, fork]) {
        const ids = (await n.svc.ctx.app.inject({ url: "/peers" }))
          .json()
          .peers.map((p: { id: string }) => p.id);
        expect(ids).not.toContain(other.gateway.nodeIdHex);
        expect(ids).not.toContain(fork.gateway.nodeIdHex);
      }
      const stats = (await a.svc.ctx.app.inject({ url: "/stats" })).json();
      expect(stats.handshakes.failed.WRONG_CHAIN).toBeGreaterThanOrEqual(2);
    } finally {
      await other.stop();
      await fork.stop();
    }
  });

  it("refuses an identity proof made with another key than the one claimed (BAD_IDENTITY), then takes an honest one", async () => {
    const network = networkIdOf(a.node.network);
    const claimed = nodeKeyFromSeed(new Uint8Array(32).fill(9)).publicKey;
    await expect(RawPeer.connect(a.p2pPort, network, { claimKey: claimed })).rejects.toMatchObject({
      code: "BAD_IDENTITY",
    });
    const stats = (await a.svc.ctx.app.inject({ url: "/stats" })).json();
    expect(stats.handshakes.failed.BAD_IDENTITY).toBeGreaterThanOrEqual(1);
    const honest = await RawPeer.connect(a.p2pPort, network);
    expect(honest.closed).toBe(false);
    honest.close();
  });

  it("speaks the genesis hash its node serves (the genesis block's), not a hash of its own", async () => {
    const served = await RawPeer.connect(a.p2pPort, networkIdOf(a.node.network));
    served.close();
    // The digest of the genesis document was the gateway's own derivation before the network
    // came from node.v1.network.get; a peer still using it is on another network.
    const digest = { chainId: a.node.network.chainId, genesisHash: genesisDigest(a.node.network.genesis) };
    await expect(RawPeer.connect(a.p2pPort, digest)).rejects.toMatchObject({ code: "WRONG_GENESIS" });
  });
});
