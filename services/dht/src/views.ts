import { fromHex, toHex } from "@p2pnode/codec";
import { ValueKind } from "@p2pnode/codec/dht";
import { dhtContentKey } from "@p2pnode/crypto";
import type { DhtContact, DhtLookupResult, DhtValue } from "@p2pnode/types";
import type { DhtNode } from "./dht-node.js";
import { DhtError } from "./errors.js";
import type { LookupPeer } from "./lookup.js";
import { recordToJson } from "./node-record.js";
import type { Contact } from "./routing-table.js";
import type { FoundValue, ValueProtocol } from "./value-protocol.js";
import { openMutable } from "./values.js";

/** JSON views shared by the REST routes and the NATS endpoints. */

export function contactJson(c: Contact): DhtContact {
  return {
    nodeId: c.idHex,
    host: c.endpoint.host,
    port: c.endpoint.port,
    lastSeenMs: Math.round(c.lastSeen),
    failures: c.failures,
    record: c.record ? recordToJson(c.record) : undefined,
  };
}

function peerJson(node: DhtNode, p: LookupPeer): DhtContact {
  const c = node.table.get(p.idHex);
  if (c) return contactJson(c);
  return { nodeId: p.idHex, host: p.endpoint.host, port: p.endpoint.port, lastSeenMs: 0, failures: 0 };
}

export async function lookupJson(node: DhtNode, targetHex: string): Promise<DhtLookupResult> {
  const target = fromHex(targetHex, "target", 32);
  if (node.table.size === 0) throw new DhtError("NO_PEERS", "the routing table is empty");
  const res = await node.lookup(target);
  let found = res.closest[0]?.idHex === targetHex ? node.knownRecord(targetHex) : undefined;
  if (!found && res.closest[0]?.idHex === targetHex)
    found = (await node.ping(res.closest[0].endpoint, targetHex))?.record;
  return {
    target: targetHex,
    found: found ? recordToJson(found) : null,
    closest: res.closest.map((p) => peerJson(node, p)),
    hops: res.hops,
    queried: res.queried,
    failed: res.failed,
  };
}

export function valueJson(keyHex: string, v: FoundValue, verifier: DhtNode["verifier"]): DhtValue {
  if (v.kind === ValueKind.Content) {
    return { key: keyHex, kind: "content", value: Buffer.from(v.bytes).toString("base64"), source: v.source };
  }
  const rec = openMutable(v.bytes, verifier);
  return {
    key: keyHex,
    kind: "mutable",
    value: Buffer.from(rec.data).toString("base64"),
    publisher: toHex(rec.publisher),
    name: rec.name,
    seq: rec.seq,
    source: v.source,
  };
}

export async function getValueJson(values: ValueProtocol, node: DhtNode, keyHex: string): Promise<DhtValue> {
  return valueJson(keyHex, await values.get(fromHex(keyHex, "key", 32)), node.verifier);
}

export async function putContentJson(values: ValueProtocol, base64: string, ttlSeconds?: number) {
  const bytes = new Uint8Array(Buffer.from(base64, "base64"));
  const key = dhtContentKey(bytes);
  const replicas = await values.put(ValueKind.Content, key, bytes, {
    ttlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1000,
  });
  return { key: toHex(key), replicas };
}
