import { BUS_MAX_PAYLOAD_BYTES } from "@p2pnode/codec";

/**
 * The nats-server configuration of a node's private bus: loopback only, token auth, and
 * max_payload from codec's size table (a block event or a sync answer at the largest block fits).
 * The supervisor writes it on every start; tests start their servers with the same text.
 */
export function natsServerConfig(o: { port: number; token: string }): string {
  return [
    `listen: "127.0.0.1:${o.port}"`,
    `authorization { token: "${o.token}" }`,
    `max_payload: ${BUS_MAX_PAYLOAD_BYTES}`,
    "max_connections: 256",
    "",
  ].join("\n");
}
