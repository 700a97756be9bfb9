import { type CodedError, type NodeNetwork, NodeSubjects } from "@p2pnode/types";
import type { Bus } from "../bus/index.js";
import { KitError } from "../errors.js";

/**
 * How long a starting service waits for `node.v1.network.get`. The supervisor starts the services
 * while nats-server starts and serves the network once connected, usually before a service has
 * loaded its code; only a service started without one (or against the wrong NATS) waits long.
 */
export const NETWORK_WAIT_MS = 10_000;

/** Nobody answered (yet): worth asking again until the deadline. An error reply is final. */
const NO_ANSWER = new Set(["UPSTREAM_UNAVAILABLE", "TIMEOUT"]);

/**
 * The network this node is on, asked of the supervisor once at start. A service cannot do
 * anything meaningful without it, so failure is a start-up error (one line, exit 2).
 */
export async function fetchNetwork(bus: Bus, waitMs = NETWORK_WAIT_MS): Promise<NodeNetwork> {
  const deadline = Date.now() + waitMs;
  // Asking again is cheap (no responders is an immediate answer): a short cap keeps a service that
  // came up before its supervisor served from idling after it does.
  for (let delay = 50; ; delay = Math.min(delay * 2, 250)) {
    try {
      return await bus.request(NodeSubjects.networkGet, {}, clamp(deadline - Date.now(), 2_000));
    } catch (err) {
      const left = deadline - Date.now();
      if (!NO_ANSWER.has((err as CodedError).code) || left <= 0) {
        throw new KitError(
          "NETWORK_UNAVAILABLE",
          `cannot learn the node's network (${NodeSubjects.networkGet.subject}): ${(err as Error).message}`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
    }
  }
}

const clamp = (ms: number, max: number): number => Math.max(50, Math.min(ms, max));
