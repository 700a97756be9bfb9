import { isIPv4, isIPv6 } from "node:net";
import type { ByteReader, ByteWriter } from "../binary.js";
import { CodecError } from "../errors.js";

/** A UDP address: an IP literal (never a hostname) and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * The one spelling of an IP literal: lowercase, and IPv4-mapped IPv6 (::ffff:a.b.c.d, what
 * dual-stack sockets report) in its IPv4 form, which is also how it goes on the wire.
 */
export function normalizeIp(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith("::ffff:") && isIPv4(lower.slice(7))) return lower.slice(7);
  return lower;
}

/** The 4 or 16 bytes of an IP literal (4 for IPv4-mapped IPv6). */
export function ipToBytes(raw: string): Uint8Array {
  const host = normalizeIp(String(raw));
  if (isIPv4(host)) return new Uint8Array(host.split(".").map(Number));
  if (!isIPv6(host)) throw new CodecError("ENCODE_INVALID", `endpoint: not an IP literal: ${host}`);
  const [head = "", tail = ""] = host.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":"));
  // an embedded IPv4 tail (64:ff9b::1.2.3.4) counts as two groups
  const groupsOf = (g: string[]) =>
    g.flatMap((x) => {
      if (!x.includes(".")) return [x];
      const b = x.split(".").map(Number);
      return [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
    });
  const before = groupsOf(parse(head));
  const after = groupsOf(parse(tail));
  const zeros = host.includes("::") ? 8 - before.length - after.length : 0;
  const all = [...before, ...Array<string>(zeros).fill("0"), ...after];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The IP literal of 4 or 16 bytes, IPv6 in RFC 5952 form (IPv4-mapped ones as IPv4). */
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
  if (best < 0) return normalizeIp(groups.join(":"));
  const left = groups.slice(0, best).join(":");
  const right = groups.slice(best + bestLen).join(":");
  return normalizeIp(`${left}::${right}`);
}

/** Wire form: family u8 (4 or 6) ‖ the 4 or 16 address bytes ‖ port u16. */
export function writeEndpoint(w: ByteWriter, e: Endpoint): void {
  const ip = ipToBytes(e.host);
  w.u8(ip.length === 4 ? 4 : 6)
    .bytes(ip)
    .u16(e.port);
}

export function readEndpoint(r: ByteReader): Endpoint {
  const family = r.u8();
  if (family !== 4 && family !== 6)
    throw new CodecError("DECODE_SCHEMA", `endpoint: address family ${family}`);
  const host = bytesToIp(r.bytes(family === 4 ? 4 : 16));
  return { host, port: r.u16() };
}

/** Bytes of an endpoint on the wire: 7 for IPv4, 19 for IPv6. */
export const endpointWireBytes = (e: Endpoint): number => (isIPv4(normalizeIp(e.host)) ? 7 : 19);
