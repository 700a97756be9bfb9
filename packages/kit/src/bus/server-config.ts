import { BUS_MAX_PAYLOAD_BYTES } from "@p2pnode/codec";
import { KitError } from "../errors.js";

export interface NatsServerConfig {
  /** Loopback port the server listens on. */
  port: number;
  /** The node's token (kept out of the command line, where `ps` shows it). */
  token: string;
}

/**
 * The text of a node's nats-server config, the one the supervisor writes and tests start their
 * servers with: loopback only, token auth, and the max_payload of the size table
 * (BUS_MAX_PAYLOAD_BYTES in @p2pnode/codec), which every bus client checks on connect.
 */
export function natsServerConfig(o: NatsServerConfig): string {
  return [
    "# written by p2pnode node start on every start; edits are overwritten",
    `listen: "127.0.0.1:${o.port}"`,
    `authorization { token: "${o.token}" }`,
    `max_payload: ${BUS_MAX_PAYLOAD_BYTES}`,
    "max_connections: 256",
    "",
  ].join("\n");
}

/**
 * A server that takes smaller payloads than the size table needs would refuse a full block (or a
 * sync answer) at run time, far from the cause: a client refuses it at start-up instead.
 */
export function checkServerMaxPayload(maxPayload: number | undefined, url: string): void {
  if (maxPayload !== undefined && maxPayload >= BUS_MAX_PAYLOAD_BYTES) return;
  throw new KitError(
    "CONFIG_INVALID",
    `nats-server at ${url} takes payloads of ${maxPayload ?? "unknown"} bytes; p2pnode needs max_payload ≥ ${BUS_MAX_PAYLOAD_BYTES} (the config \`p2pnode node start\` writes)`,
  );
}
