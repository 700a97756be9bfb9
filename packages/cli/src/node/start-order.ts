import { connect } from "node:net";
import type { ServiceName } from "@p2pnode/types";

/**
 * Started before the others: the chain, whose `GET /tip` is what a (re)started node is asked
 * first, and which most other services ask things of. Loading a service is a second or more of CPU;
 * six loading at once on two cores leave the chain a third of a core, and its tip answered only
 * when all six are up.
 */
export const FIRST_SERVICES: readonly ServiceName[] = ["chain"];

/** The others start after this long even if a first service does not listen yet. */
export const HEAD_START_MAX_MS = 10_000;

/** The role's services split into those started first and the rest, each in the role's order. */
export function startOrder(names: readonly ServiceName[]): [ServiceName[], ServiceName[]] {
  const first = names.filter((n) => FIRST_SERVICES.includes(n));
  return [first, names.filter((n) => !first.includes(n))];
}

/** Where to reach a listener bound to `host`: a wildcard address through loopback. */
export function connectHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "::1";
  return host;
}

/** Does something accept TCP connections on host:port? */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
