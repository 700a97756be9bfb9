import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { NamespaceNet, namespacesUnavailable } from "@p2pnode/chaos";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

/*
 * The pending-handshake attack with the attacker in its own network namespace (its own address
 * on a private bridge, as on a real network), when the machine allows it (root, `ip`); skipped
 * otherwise: hardening.test.ts covers the same rules from distinct 127/8 addresses.
 */
const why = namespacesUnavailable();
const suite = why ? describe.skip : describe;

let net: NamespaceNet;
let node: GatewayNode;
let attacker: ChildProcess | undefined;

suite("hostile peer in its own network namespace", () => {
  beforeAll(async () => {
    net = new NamespaceNet(randomBytes(2).toString("hex"), 1);
    net.up();
    // The gateway listens on the bridge address (root namespace): the attacker in its namespace reaches it.
    process.env.P2PNODE_P2P_HOST = net.hostIp;
    try {
      node = await startGatewayNode({ options: { devnet: false, handshakeTimeoutMs: 5_000 } });
    } finally {
      delete process.env.P2PNODE_P2P_HOST;
    }
  });
  afterAll(async () => {
    attacker?.kill("SIGKILL");
    await node?.stop();
    net?.down();
  });

  it("during 200 unfinished handshakes from one namespace's address, a peer from another address completes", async () => {
    const script = `
      const net = require("net");
      let open = 0;
      for (let i = 0; i < 200; i++) {
        const s = net.connect(${node.p2pPort}, "${net.hostIp}", () => { open++; s.write("GET /p2p HTTP/1.1\\r\\nHost: x\\r\\n"); if (open === 200) console.log("all open"); });
        s.on("error", () => {});
      }
      setInterval(() => {}, 1000);`;
    attacker = spawn("ip", ["netns", "exec", net.ns(0), process.execPath, "-e", script], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    attacker.stdout!.on("data", (d) => {
      out += d;
    });
    await eventually(
      () => out,
      (o) => o.includes("all open"),
      400,
      50,
    );
    await eventually(
      () => node.gateway.manager.pendingInbound.evicted,
      (n) => n >= 196,
    );
    const honest = await RawPeer.connect(node.p2pPort, node.network, { host: net.hostIp });
    expect(node.gateway.manager.peers.has(honest.nodeIdHex)).toBe(true);
    const fromAttacker = [...node.gateway.manager.peers.values()].filter((p) => p.info.ip === net.ip(0));
    expect(fromAttacker).toEqual([]);
    honest.close();
  });
});
