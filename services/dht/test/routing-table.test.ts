import { toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { MemoryNetwork } from "../src/memory-transport.js";
import { type Contact, RoutingTable } from "../src/routing-table.js";
import { commonPrefixBits, compareDistance, randomIdInBucket } from "../src/xor-metric.js";
import { memoryNode } from "./helpers.js";

const self = sha256(Uint8Array.of(1));
let n = 0;
function contact(host: string, bucket = 0): Contact {
  const id = randomIdInBucket(self, bucket);
  return {
    id,
    idHex: toHex(id),
    publicKey: sha256(Uint8Array.of(n++)),
    endpoint: { host, port: 7401 },
    lastSeen: 0,
    failures: 0,
  };
}

describe("routing table", () => {
  it("keeps at most 2 nodes of one /24 per bucket and 10 per table", () => {
    const t = new RoutingTable(self);
    const results = Array.from({ length: 3 }, (_, i) => t.add(contact(`198.51.100.${i + 1}`)).status);
    expect(results).toEqual(["added", "added", "ip_limit"]);
    for (let b = 1; b < 20; b++) t.add(contact(`203.0.113.${b}`, b));
    expect(t.all().filter((c) => c.endpoint.host.startsWith("203.0.113.")).length).toBe(10);
  });

  it("exempts LAN addresses and turns the limits off for a devnet", () => {
    const t = new RoutingTable(self);
    for (let i = 0; i < 5; i++) expect(t.add(contact(`10.0.0.${i + 1}`)).status).toBe("added");
    const dev = new RoutingTable(self, { ipLimits: null });
    for (let i = 0; i < 5; i++) expect(dev.add(contact(`198.51.100.${i + 1}`)).status).toBe("added");
  });

  it("a full bucket parks newcomers as replacements and promotes one when an entry is removed", () => {
    const t = new RoutingTable(self, { k: 2, ipLimits: null });
    const [a, b, c] = [contact("10.0.0.1"), contact("10.0.0.2"), contact("10.0.0.3")];
    t.add(a);
    t.add(b);
    const full = t.add(c);
    expect(full).toMatchObject({ status: "full", oldest: a });
    expect(t.remove(a.idHex)?.idHex).toBe(c.idHex);
    expect(
      t
        .all()
        .map((x) => x.idHex)
        .sort(),
    ).toEqual([b.idHex, c.idHex].sort());
  });

  it("returns the closest contacts by XOR distance", () => {
    const t = new RoutingTable(self, { ipLimits: null });
    for (let i = 0; i < 60; i++) t.add(contact(`10.0.${i}.1`, i % 12));
    const target = sha256(Uint8Array.of(9));
    const got = t.closest(target, 5);
    const all = t.all().sort((x, y) => compareDistance(target, x.id, y.id));
    expect(got.map((c) => c.idHex)).toEqual(all.slice(0, 5).map((c) => c.idHex));
    expect(commonPrefixBits(self, self)).toBe(256);
  });

  it("evicts the oldest entry of a full bucket only after it fails a ping", async () => {
    const net = new MemoryNetwork();
    const a = memoryNode(net, { host: "10.0.0.1", port: 7401 }, { ipLimits: false });
    const b = memoryNode(net, { host: "10.0.0.2", port: 7401 });
    const c = memoryNode(net, { host: "10.0.0.3", port: 7401 });
    // squeeze a's table: k = 1 in every bucket
    (a.node.table as unknown as { opts: { k: number } }).opts.k = 1;
    await net.run(a.node.ping(b.endpoint));
    const bucketOf = (x: typeof b) => a.node.table.bucketIndex(x.node.selfId);
    if (bucketOf(b) !== bucketOf(c)) return; // different buckets: nothing to evict (ids are random)
    await net.run(a.node.ping(c.endpoint));
    await net.advance(1_000);
    expect(a.node.table.get(b.node.selfIdHex)).toBeDefined(); // b answered its liveness ping
    net.setDropping(b.endpoint, true);
    await net.run(a.node.ping(c.endpoint));
    await net.advance(2_000);
    expect(a.node.table.get(b.node.selfIdHex)).toBeUndefined();
    expect(a.node.table.get(c.node.selfIdHex)).toBeDefined();
  });
});
