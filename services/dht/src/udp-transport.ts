import { createSocket, type Socket } from "node:dgram";
import { MAX_DATAGRAM_BYTES, normalizeIp } from "@p2pnode/codec/dht";
import type { Endpoint } from "./endpoint.js";
import type { DatagramTransport } from "./transport.js";

export interface UdpTransportOptions {
  /** Address to bind: "0.0.0.0" (all IPv4), "::" (dual stack) or one interface's address. */
  host: string;
  /** 0 lets the OS choose (tests). */
  port: number;
}

/**
 * The DHT's UDP socket. Receive buffers are left at the OS default; datagrams over 1,280 bytes are
 * still handed on, so the codec counts them as oversize instead of the socket hiding them.
 */
export class UdpTransport implements DatagramTransport {
  private handler: (data: Uint8Array, from: Endpoint) => void = () => undefined;

  private constructor(
    private readonly socket: Socket,
    readonly local: Endpoint,
  ) {
    socket.on("message", (msg, rinfo) => {
      this.handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        host: normalizeIp(rinfo.address),
        port: rinfo.port,
      });
    });
    // a send to an unreachable host surfaces as a socket error on some platforms: it is just loss
    socket.on("error", () => undefined);
  }

  static async bind(opts: UdpTransportOptions): Promise<UdpTransport> {
    const v6 = opts.host.includes(":");
    const socket = createSocket({ type: v6 ? "udp6" : "udp4", ipv6Only: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(opts.port, opts.host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    const a = socket.address();
    return new UdpTransport(socket, { host: normalizeIp(a.address), port: a.port });
  }

  send(to: Endpoint, data: Uint8Array): void {
    if (data.length > MAX_DATAGRAM_BYTES) return;
    const ipv6Socket = this.local.host.includes(":");
    const host = ipv6Socket && !to.host.includes(":") ? `::ffff:${to.host}` : to.host;
    this.socket.send(data, to.port, host, () => undefined);
  }

  onDatagram(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
