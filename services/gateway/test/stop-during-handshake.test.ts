import type { AddressInfo } from "node:net";
import { nodeKeyFromSeed, x25519KeyPair } from "@p2pnode/crypto";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { CLOSE_CODES } from "../src/errors.js";
import { runHandshake } from "../src/handshake.js";
import { SocketQueue } from "../src/socket-queue.js";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";

/*
 * A dial whose handshake ends after the gateway stopped: registered, the peer would keep pinging
 * and report its disconnect on a bus that is closed by then — an uncaught error in a stopping
 * service (seen in a CI run). It is closed with SHUTDOWN instead, and never becomes a peer.
 */

let node: GatewayNode | undefined;
let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const c of server?.clients ?? []) c.terminate();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await node?.stop();
  [node, server] = [undefined, undefined];
});

describe("stop during a handshake", () => {
  it("a dial that completes its handshake after stop() is closed with SHUTDOWN, not registered", async () => {
    node = await startGatewayNode();
    const a = node;
    // The remote: a responder that holds its handshake message until the gateway has stopped.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const closeCode = new Promise<number>((resolve) => {
      server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/p2p" });
      server.on("connection", (ws: WebSocket) => {
        const queue = new SocketQueue(ws);
        const send = ws.send.bind(ws);
        ws.send = ((data: Uint8Array) => void held.then(() => send(data))) as typeof ws.send;
        ws.on("close", (code) => resolve(code));
        void runHandshake({
          ws,
          queue,
          initiator: false,
          local: {
            identity: nodeKeyFromSeed(new Uint8Array(32).fill(7)),
            staticKey: x25519KeyPair(),
            network: a.network,
            listenPort: 0,
            agent: "held-responder",
            tip: () => ({ height: 0, hash: new Uint8Array(32), totalWork: "0" }),
          },
          timeoutMs: 30_000,
          maxMessageBytes: 4 * 1024 * 1024,
          admit: () => undefined,
        })
          // The responder's first frame: what the dialler waits for before it calls itself connected.
          .then((r) => send(r.channel.seal({ type: "ping", nonce: 1n }).bytes))
          .catch(() => undefined);
      });
    });
    await new Promise((r) => server!.once("listening", r));
    const port = (server!.address() as AddressInfo).port;

    const connected = new Promise((r) => server!.once("connection", r));
    const dial = a.gateway.manager.dial("127.0.0.1", port).then(
      () => "registered",
      (err: { code?: string }) => err.code,
    );
    await connected;
    // The gateway stops (its bus and verify threads still up, as between the steps of a
    // service's stop), then the remote's answer comes and the handshake runs to its end.
    await a.gateway.stop();
    release();
    expect(await dial).toBe("SHUTDOWN");
    expect(await closeCode).toBe(CLOSE_CODES.SHUTDOWN);
    expect(a.gateway.manager.peers.size).toBe(0);
  });
});
