import { readFileSync } from "node:fs";
import { portsFromBase } from "@p2pnode/types";
import { NODE_PORT_STRIDE } from "./layout.js";

/** The span of a node's listeners above its base (types' layout: gateway REST to NATS). */
const OFFSETS = Object.values(portsFromBase(0));
const FIRST_OFFSET = Math.min(...OFFSETS);
const LAST_OFFSET = Math.max(...OFFSETS);
const LOWEST_UNPRIVILEGED = 1024;

/** IANA's dynamic ports, the ephemeral range of BSD, macOS and Windows. */
const IANA_DYNAMIC: readonly [number, number] = [49152, 65535];

/**
 * The range the kernel takes the local port of an outgoing connection from (Linux:
 * net.ipv4.ip_local_port_range, 32768–60999 by default); IANA's 49152–65535 where it cannot be
 * read. `file` is for tests.
 */
export function ephemeralPortRange(
  file = "/proc/sys/net/ipv4/ip_local_port_range",
): readonly [number, number] {
  try {
    const [lo, hi] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo! > 0 && lo! <= hi!) return [lo!, hi!];
  } catch {
    // not Linux, or /proc not mounted
  }
  return IANA_DYNAMIC;
}

/**
 * Why node ports at `base` (node i one stride up) do not suit `nodes` nodes, or undefined when
 * every one lies outside the ephemeral range. A listener there binds while the port happens to be
 * free, but any outgoing connection of the machine (a test, a browser, NATS clients) can hold it
 * when the service starts or is restarted, and the service then fails with "already in use".
 */
export function ephemeralOverlap(
  base: number,
  nodes: number,
  range: readonly [number, number],
): string | undefined {
  const [lo, hi] = range;
  for (let i = 0; i < nodes; i++) {
    const from = base + NODE_PORT_STRIDE * i + FIRST_OFFSET;
    const to = base + NODE_PORT_STRIDE * i + LAST_OFFSET;
    if (to < lo || from > hi) continue;
    const fitting = Math.floor((lo - 1 - LAST_OFFSET - LOWEST_UNPRIVILEGED) / NODE_PORT_STRIDE) + 1;
    // The highest base (whole thousands) whose last node still ends below the range.
    const below = Math.floor((lo - 1 - LAST_OFFSET - NODE_PORT_STRIDE * (nodes - 1)) / 1000) * 1000;
    const advice =
      below >= LOWEST_UNPRIVILEGED
        ? `use --port-base ${below} (or lower) or fewer nodes`
        : `at most ${Math.max(0, fitting)} nodes fit below port ${lo}`;
    return (
      `ports of node${i} (${from}-${to}) lie in the kernel's ephemeral port range ${lo}-${hi}, where ` +
      `outgoing connections take their local ports, so its services could fail to bind on start or ` +
      `restart: ${advice}`
    );
  }
  return undefined;
}
