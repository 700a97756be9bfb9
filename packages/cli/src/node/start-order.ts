import { connect } from "node:net";
import type { ServiceName } from "@p2pnode/types";

/**
 * Started before the others: the chain, whose `GET /tip` is what a (re)started node is asked
 * first, and which most other services ask things of.
 */
export const FIRST_SERVICES: readonly ServiceName[] = ["chain"];

/** The others start after this long even if a first service has not loaded yet. */
export const HEAD_START_MAX_MS = 10_000;

/** The role's services split into those started first and the rest, each in the role's order. */
export function startOrder(names: readonly ServiceName[]): [ServiceName[], ServiceName[]] {
  const first = names.filter((n) => FIRST_SERVICES.includes(n));
  return [first, names.filter((n) => !first.includes(n))];
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
