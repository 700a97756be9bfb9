import { isIPv4 } from "node:net";
import { type Endpoint, ipToBytes } from "@p2pnode/codec/dht";

/*
 * Addresses as the routing table sees them. Their wire form (family, bytes, port) and the one
 * spelling of an IP (normalizeIp) are the codec's (packages/codec/src/dht/endpoint.ts).
 */

export type { Endpoint };

export const endpointKey = (e: Endpoint): string =>
  e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;

/**
 * The network group used by the Sybil limits: the /24 of an IPv4 address, the /48 of an IPv6 one
 * (a single customer's allocation, so one operator cannot fill a bucket from one prefix).
 */
export function netgroup(host: string): string {
  if (isIPv4(host)) return host.split(".").slice(0, 3).join(".");
  const b = ipToBytes(host);
  return Buffer.from(b.subarray(0, 6)).toString("hex");
}

/** Loopback, private and link-local addresses: exempt from prefix limits, as geth does for LANs. */
export function isLanAddress(host: string): boolean {
  if (isIPv4(host)) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  const h = host.toLowerCase();
  return h === "::1" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80");
}

export const isUnspecified = (host: string): boolean => host === "0.0.0.0" || host === "::";
