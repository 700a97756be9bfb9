/**
 * @p2pnode/codec/dht — the DHT's wire format (PROTOCOL.md, "DHT"): datagrams, message bodies,
 * signed node records, mutable values and file manifests. Signing and verifying are the
 * caller's (packages/crypto); decoders hand back the exact bytes each signature covers.
 */
export * from "./datagram.js";
export * from "./endpoint.js";
export * from "./limits.js";
export * from "./manifest.js";
export * from "./messages.js";
export * from "./mutable.js";
export * from "./node-record.js";
