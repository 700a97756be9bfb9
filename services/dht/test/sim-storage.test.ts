import { toHex } from "@p2pnode/codec";
import { ValueKind } from "@p2pnode/codec/dht";
import { dhtContentKey, dhtMutableKey } from "@p2pnode/crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { Files } from "../src/files.js";
import { Simulation } from "../src/simulation.js";
import { signMutable } from "../src/values.js";

/*
 * 64 nodes that join for real (each bootstraps from node 0 only), then store and fetch values,
 * signed records and a chunked file through the same protocol code the service runs.
 */

const NODES = 40;
let sim: Simulation;

beforeAll(async () => {
  sim = new Simulation({ nodes: NODES, seed: 3, values: { replication: 8 } });
  await sim.joinAll();
}, 120_000);

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe(`${NODES} nodes joined through one bootnode`, () => {
  it("every node found others and lookups from any node find the true k closest", async () => {
    for (const n of sim.nodes) expect(n.node.table.size).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 20; i++) {
      const from = sim.pick(sim.nodes);
      const target = sim.randomId();
      const m = await sim.lookup(from, target);
      const truth = sim.trueClosest(target, 20, from).map((s) => s.node.selfIdHex);
      expect(m.result.closest.map((p) => p.idHex)).toEqual(truth);
    }
  });

  it("nodes learned each other's signed records (connection candidates)", () => {
    const withRecords = sim.nodes[5]!.node.table.all().filter((c) => c.record !== undefined);
    expect(withRecords.length).toBe(sim.nodes[5]!.node.table.size);
    expect(withRecords[0]!.record!.wsPort).toBe(7101);
  });

  it("a small value put on one node is found from another", async () => {
    const value = new TextEncoder().encode("hello dht");
    const key = dhtContentKey(value);
    const replicas = await sim.run(sim.nodes[1]!.values.put(ValueKind.Content, key, value));
    expect(replicas).toBe(8);
    const got = await sim.run(sim.nodes[33]!.values.get(key));
    expect(got.source).toBe("network");
    expect(Buffer.from(got.bytes).toString()).toBe("hello dht");
  });

  it("a 64 KiB value travels in windows of fragments and is pulled by the replicas", async () => {
    const value = bytes(65_536, 9);
    const key = dhtContentKey(value);
    expect(await sim.run(sim.nodes[2]!.values.put(ValueKind.Content, key, value))).toBe(8);
    const got = await sim.run(sim.nodes[35]!.values.get(key));
    expect(Buffer.compare(got.bytes, value)).toBe(0);
  });

  it("a corrupted replica is detected and the value fetched from another holder", async () => {
    const value = bytes(20_000, 4);
    const key = dhtContentKey(value);
    await sim.run(sim.nodes[3]!.values.put(ValueKind.Content, key, value));
    // corrupt every replica but one, and the origin's copy
    const holders = sim.nodes.filter((n) => n.store.get(key));
    expect(holders.length).toBe(9);
    for (const h of holders.slice(0, -1)) {
      const v = h.store.get(key)!;
      const bad = v.value.slice();
      bad[100]! ^= 0xff;
      h.store.replace({ ...v, value: bad });
    }
    const reader = sim.nodes.find((n) => !n.store.get(key))!;
    const before = reader.values.stats.badValues;
    const got = await sim.run(reader.values.get(key));
    expect(Buffer.compare(got.bytes, value)).toBe(0);
    expect(reader.values.stats.badValues).toBeGreaterThan(before);
  });

  it("a signed mutable record: the highest sequence number wins", async () => {
    const owner = sim.nodes[7]!;
    const key = dhtMutableKey(owner.node.signer.publicKey, "profile");
    const v1 = signMutable("profile", 1, new TextEncoder().encode("one"), owner.node.signer);
    const v2 = signMutable("profile", 2, new TextEncoder().encode("two"), owner.node.signer);
    await sim.run(owner.values.put(ValueKind.Mutable, key, v1.bytes));
    await sim.run(owner.values.put(ValueKind.Mutable, key, v2.bytes));
    // an old version pushed again by someone is kept out by every holder
    await sim.run(sim.nodes[9]!.values.put(ValueKind.Mutable, key, v1.bytes).catch(() => 0));
    const got = await sim.run(sim.nodes[30]!.values.get(key, { skipLocal: true }));
    expect(got.seq).toBe(2);
  });

  it("a record signed by someone else under the owner's key is refused", async () => {
    const owner = sim.nodes[7]!;
    const forger = sim.nodes[8]!;
    const key = dhtMutableKey(owner.node.signer.publicKey, "profile");
    const forged = signMutable("profile", 99, new TextEncoder().encode("evil"), forger.node.signer);
    await expect(sim.run(forger.values.put(ValueKind.Mutable, key, forged.bytes))).rejects.toMatchObject({
      code: "INVALID_VALUE",
    });
  });

  it("a file is chunked, stored and read back chunk by verified chunk, also after its uploader is gone", async () => {
    const data = bytes(300_000, 1);
    const up = new Files({ chunkReplicas: 4 }, { values: sim.nodes[10]!.values });
    async function* source() {
      for (let i = 0; i < data.length; i += 7_000) yield data.subarray(i, i + 7_000);
    }
    const res = await sim.run(up.upload(source(), "blob.bin"));
    expect(res.chunks).toBe(5);
    expect(res.minReplicas).toBeGreaterThanOrEqual(4);
    sim.network.setDropping(sim.nodes[10]!.endpoint, true);
    const down = new Files({}, { values: sim.nodes[38]!.values });
    const manifest = await sim.run(down.manifest(Buffer.from(res.fileId, "hex")));
    expect(manifest.name).toBe("blob.bin");
    const parts: Uint8Array[] = [];
    const it = down.download(manifest);
    for (let r = await sim.run(it.next()); !r.done; r = await sim.run(it.next())) parts.push(r.value);
    expect(toHex(Buffer.concat(parts))).toBe(toHex(data));
    sim.network.setDropping(sim.nodes[10]!.endpoint, false);
  });
});

describe("a store on a network smaller than the replica count", () => {
  it("a node that misses the first round (its lookup reply timed out) still gets the value", async () => {
    const small = new Simulation({ nodes: 6, seed: 5, values: { replication: 8 } });
    await small.joinAll();
    const [origin, late] = [small.nodes[0]!, small.nodes[3]!];
    // late answers nothing for the first 800 ms: the first lookup gives up on it after 500 ms
    small.network.setDropping(late.endpoint, true);
    small.network.setTimeout(() => small.network.setDropping(late.endpoint, false), 800);
    const value = bytes(40_000, 7);
    const key = dhtContentKey(value);
    expect(await small.run(origin.values.put(ValueKind.Content, key, value))).toBe(5);
    for (const n of small.nodes.slice(1)) expect(n.store.get(key), `node ${n.index}`).toBeDefined();
  });

  it("a node that stays silent costs a few rounds, then the put returns what it got", async () => {
    const small = new Simulation({ nodes: 6, seed: 6, values: { replication: 8 } });
    await small.joinAll();
    small.network.setDropping(small.nodes[2]!.endpoint, true);
    const value = bytes(3_000, 8);
    const key = dhtContentKey(value);
    expect(await small.run(small.nodes[0]!.values.put(ValueKind.Content, key, value))).toBe(4);
    expect(small.nodes[2]!.store.get(key)).toBeUndefined();
  });
});
