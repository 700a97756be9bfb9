import { assertBytes } from "./errors.js";
import { sha256 } from "./hash.js";

/*
 * The DHT's keys (PROTOCOL.md, "DHT values"): where a value lives in the 256-bit id space that
 * NodeIds (nodeIdOf) also live in. Its signatures use signDomain with SIGNING_DOMAINS.dhtMessage,
 * dhtRecord and dhtMutable.
 */

const MUTABLE_KEY_TAG = new TextEncoder().encode("p2pnode/dht/v1/mutable-key\0");

/** Key of a content-addressed value (file chunks and manifests included): SHA-256 of its bytes. */
export function dhtContentKey(value: Uint8Array): Uint8Array {
  return sha256(value);
}

/**
 * Key of a publisher's mutable record `name`: SHA-256("p2pnode/dht/v1/mutable-key" ‖ 0x00 ‖
 * publisher key ‖ UTF-8 name). Only the publisher can sign records that land on it.
 */
export function dhtMutableKey(publisher: Uint8Array, name: string): Uint8Array {
  assertBytes(publisher, "publisher key", 32);
  return sha256(MUTABLE_KEY_TAG, publisher, new TextEncoder().encode(name));
}
