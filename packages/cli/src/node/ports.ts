import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { API_LISTENER, LISTENERS, type ListenerName, type ServiceName } from "@p2pnode/types";
import { SupervisorError } from "./errors.js";

/** The listeners a node with these services opens (NATS only when the supervisor runs it). */
export function listenersFor(services: readonly ServiceName[], ownNats: boolean): ListenerName[] {
  const out: ListenerName[] = services.map((s) => API_LISTENER[s]);
  if (services.includes("gateway")) out.push("p2p");
  if (services.includes("dht")) out.push("dhtUdp");
  if (ownNats) out.push("nats");
  return out;
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
    sock.once("error", () => resolve(false));
    sock.bind({ address: host, port, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/**
 * Fails fast, before anything starts, when a port the node needs is taken: a service that dies on
 * EADDRINUSE would otherwise be restarted forever by the supervisor. `graceMs` waits for ports of
 * processes this start has just killed.
 */
export async function assertPortsFree(
  listeners: readonly ListenerName[],
  ports: Record<ListenerName, number>,
  hosts: { api: string; p2p: string },
  graceMs = 0,
): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (const name of listeners) {
    const l = LISTENERS[name];
    const host = name === "nats" ? "127.0.0.1" : name === "p2p" || name === "dhtUdp" ? hosts.p2p : hosts.api;
    const isFree = () => (l.proto === "udp" ? udpFree(host, ports[name]) : tcpFree(host, ports[name]));
    let free = await isFree();
    while (!free && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      free = await isFree();
    }
    if (!free) {
      throw new SupervisorError(
        "PORT_IN_USE",
        `port ${ports[name]}/${l.proto} (${l.env}, ${l.what}) on ${host} is already in use`,
      );
    }
  }
}
