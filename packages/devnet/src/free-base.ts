import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { LISTENERS, type ListenerName, portsFromBase } from "@p2pnode/types";
import { NODE_PORT_STRIDE } from "./layout.js";

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    sock.once("error", () => resolve(false));
    sock.bind({ port, address: "0.0.0.0", exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** Is every port of an N-node devnet at `base` free right now? */
export async function portBaseFree(base: number, nodes: number): Promise<boolean> {
  for (let i = 0; i < nodes; i++) {
    const ports = portsFromBase(base + NODE_PORT_STRIDE * i);
    for (const [name, port] of Object.entries(ports)) {
      const free =
        LISTENERS[name as ListenerName].proto === "udp" ? await udpFree(port) : await tcpFree(port);
      if (!free) return false;
    }
  }
  return true;
}

/**
 * A port base for an N-node devnet whose every port is free now: `first + 1000·k` for k in
 * [0, slots), tried in random order. Test suites of several checkouts may run at once on one
 * machine; a base another devnet already holds is skipped instead of failing its `up`.
 */
export async function freePortBase(nodes: number, first: number, slots: number): Promise<number> {
  const order = Array.from({ length: slots }, (_, k) => k).sort(() => Math.random() - 0.5);
  for (const k of order) {
    const base = first + NODE_PORT_STRIDE * k;
    if (await portBaseFree(base, nodes)) return base;
  }
  throw new Error(`no free devnet port base from ${first} in ${slots} slots for ${nodes} nodes`);
}
