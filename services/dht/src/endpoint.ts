import { isIPv4, isIPv6 } from "node:net";
import type { ByteReader, ByteWriter } from "./bytes.js";
import { WireError } from "./errors.js";

/** A UDP address: an IP literal (never a hostname) and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

export const endpointKey = (e: Endpoint): string =>
  e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the DHT always uses the IPv4 form. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith("::ffff:") && isIPv4(lower.slice(7))) return lower.slice(7);
  return lower;
}

export function ipToBytes(raw: string): Uint8Array {
  const host = normalizeHost(raw);
  if (isIPv4(host)) return new Uint8Array(host.split(".").map(Number));
  if (!isIPv6(host)) throw new WireError("malformed_body", `not an IP literal: ${host}`);
  const [head = "", tail = ""] = host.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":"));
  let groups = parse(head);
  let after = parse(tail);
  // an embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups
  const fix = (g: string[]) =>
    g.flatMap((x) => {
      if (!x.includes(".")) return [x];
      const b = x.split(".").map(Number);
      return [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
    });
  groups = fix(groups);
  after = fix(after);
  const zeros = host.includes("::") ? 8 - groups.length - after.length : 0;
  const all = [...groups, ...Array<string>(zeros).fill("0"), ...after];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
    return Array.from(b.subarray(12)).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return normalizeHost(groups.join(":"));
  const left = groups.slice(0, best).join(":");
  const right = groups.slice(best + bestLen).join(":");
  return normalizeHost(`${left}::${right}`);
}

/** Wire form: family (4 or 6), the address bytes, the port. */
export function writeEndpoint(w: ByteWriter, e: Endpoint): void {
  const ip = ipToBytes(e.host);
  w.u8(ip.length === 4 ? 4 : 6)
    .bytes(ip)
    .u16(e.port);
}

export function readEndpoint(r: ByteReader): Endpoint {
  const family = r.u8();
  if (family !== 4 && family !== 6) throw new WireError("malformed_body", `address family ${family}`);
  const host = bytesToIp(r.bytes(family === 4 ? 4 : 16));
  return { host, port: r.u16() };
}

export const endpointWireBytes = (e: Endpoint): number => (isIPv4(e.host) ? 7 : 19);

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
