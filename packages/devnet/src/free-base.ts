import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { LISTENERS, type ListenerName, portsFromBase } from "@p2pnode/types";
import { NODE_PORT_STRIDE } from "./layout.js";
import { reservePortBlocks } from "./port-reservation.js";

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

/** Port bases stay between here and the kernel's ephemeral range (32768 up), where outgoing connections take ports. */
const FIRST_BLOCK = 20;
const LAST_BLOCK = 31;
/**
 * Every listener sits at base + 100·j (+1), so bases that differ by an even number below 100 never
 * share a port: 50 lanes, each a column of 1000-port blocks (node i of a devnet is one block up).
 */
const LANES = 50;

/**
 * A port base for an N-node devnet whose every port is free now, chosen at random among 50 lanes
 * and the blocks from 20000 to 31999 that fit N nodes, and reserved for this process until it
 * exits. Test suites of several checkouts may run at once on one machine: a base another devnet
 * already holds is skipped instead of failing its `up`, and one another test process reserved is
 * skipped before that devnet binds its ports.
 */
export async function freePortBase(nodes: number): Promise<number> {
  const blocks = LAST_BLOCK - FIRST_BLOCK + 2 - nodes;
  if (blocks < 1) throw new Error(`a devnet of ${nodes} nodes does not fit the test port range`);
  const candidates: { lane: number; block: number }[] = [];
  for (let lane = 0; lane < LANES; lane++)
    for (let b = 0; b < blocks; b++) candidates.push({ lane, block: FIRST_BLOCK + b });
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  // Reserved first, then checked: a base another test process chose a moment ago is skipped
  // even before its devnet binds a port (port-reservation.ts).
  for (const { lane, block } of candidates.slice(0, 40)) {
    const reserved = reservePortBlocks(lane, block, nodes);
    if (!reserved) continue;
    const base = block * NODE_PORT_STRIDE + 2 * lane;
    if (await portBaseFree(base, nodes)) return base;
    reserved.release();
  }
  throw new Error(`no free devnet port base for ${nodes} nodes in 40 tries`);
}
