import type { RunningService } from "@p2pnode/kit";
import {
  eventually,
  startTestNode,
  startTestService,
  type TestNode,
  testGenesis,
} from "@p2pnode/kit/testing";
import { DhtNodeRecord, DhtSubjects } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dhtService } from "../src/api.js";
import { freeUdpPort } from "./udp.js";

/*
 * Three dht services in this process, each with its own real nats-server and data dir, talking
 * Kademlia over real UDP sockets on 127.0.0.1 ephemeral ports. Node 2 and 3 know only node 1.
 */

interface Running {
  node: TestNode;
  svc: RunningService;
  udp: number;
}
const nodes: Running[] = [];
const ADMIN = { authorization: "Bearer test-admin-token-0123456789" };

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const udp = await freeUdpPort();
    const node = await startTestNode("full", {
      P2PNODE_DEVNET: "1",
      P2PNODE_DHT_UDP_PORT: String(udp),
      P2PNODE_BOOTNODES: i === 0 ? "" : `127.0.0.1:${nodes[0]!.udp}`,
    });
    const svc = await startTestService(dhtService, node);
    nodes.push({ node, svc, udp });
  }
}, 60_000);

afterAll(async () => {
  for (const n of nodes) {
    await n.svc.stop();
    await n.node.stop();
  }
});

const inject = (i: number) => nodes[i]!.svc.ctx.app.inject.bind(nodes[i]!.svc.ctx.app);

describe("dht service over UDP", () => {
  it("nodes that only know a bootnode find each other and become ready", async () => {
    for (let i = 0; i < 3; i++) {
      await eventually(
        async () => (await inject(i)({ url: "/table" })).json() as { size: number },
        (t) => t.size === 2,
      );
      expect((await inject(i)({ url: "/ready" })).statusCode).toBe(200);
    }
    const table = (await inject(2)({ url: "/table" })).json() as {
      buckets: { entries: { port: number; record?: { wsPort: number } }[] }[];
    };
    const entries = table.buckets.flatMap((b) => b.entries);
    expect(entries.map((e) => e.port).sort()).toEqual([nodes[0]!.udp, nodes[1]!.udp].sort());
  });

  it("looks a node up by id and returns its signed record", async () => {
    const id = ((await inject(0)({ url: "/table" })).json() as { nodeId: string }).nodeId;
    const res = await inject(2)({ url: `/nodes/${id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { found: unknown; closest: unknown[] };
    expect(DhtNodeRecord.parse(body.found).nodeId).toBe(id);
  });

  it("puts a value on one node and gets it from another, over REST and NATS", async () => {
    const value = Buffer.from("a value in the DHT").toString("base64");
    const put = await inject(0)({ method: "POST", url: "/values", payload: { value } });
    expect(put.statusCode).toBe(200);
    const { key, replicas } = put.json() as { key: string; replicas: number };
    expect(replicas).toBe(2);
    const got = await inject(2)({ url: `/values/${key}` });
    expect(got.json()).toMatchObject({ key, kind: "content", value });
    const viaNats = await nodes[1]!.node.supervisorBus.request(DhtSubjects.valueGet, { key });
    expect(viaNats.value).toBe(value);
  });

  it("answers unknown keys with 404 and bad keys with 400", async () => {
    const missing = await inject(1)({ url: `/values/${"ab".repeat(32)}` });
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect((await inject(1)({ url: "/values/xyz" })).statusCode).toBe(400);
  });

  it("streams a file up to one node and down from another, byte for byte", async () => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const up = await fetch(`${nodes[1]!.svc.url}/files?name=test.bin`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: data,
    });
    expect(up.status).toBe(200);
    const { fileId, chunks, size } = (await up.json()) as { fileId: string; chunks: number; size: number };
    expect({ chunks, size }).toEqual({ chunks: 5, size: 300_000 });
    const down = await fetch(`${nodes[2]!.svc.url}/files/${fileId}`);
    expect(down.status).toBe(200);
    expect(down.headers.get("content-length")).toBe("300000");
    expect(Buffer.compare(Buffer.from(await down.arrayBuffer()), data)).toBe(0);
    const transfers = (await inject(2)({ url: "/transfers" })).json() as {
      transfers: { bytesDone: number }[];
    };
    expect(transfers.transfers.at(-1)!.bytesDone).toBe(300_000);
  });

  it("takes a file only as an application/octet-stream body: other types 415, no body 400", async () => {
    const post = (headers: Record<string, string>, body?: string) =>
      fetch(`${nodes[1]!.svc.url}/files?name=x.bin`, { method: "POST", headers, body });
    const json = await post({ "content-type": "application/json" }, '{"a":1}');
    expect(json.status).toBe(415);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await post({ "content-type": "text/plain" }, "some text")).status).toBe(415);
    const none = await post({});
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/octet-stream/);
    // An empty octet-stream body is an empty file, as IPFS adds one.
    const empty = await post({ "content-type": "application/octet-stream" }, "");
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as { size: number }).size).toBe(0);
  });

  it("publishes mutable records only with the admin token", async () => {
    const payload = { name: "greeting", data: Buffer.from("hi").toString("base64") };
    expect((await inject(0)({ method: "POST", url: "/records", payload })).statusCode).toBe(401);
    const ok = await inject(0)({ method: "POST", url: "/records", payload, headers: ADMIN });
    expect(ok.statusCode).toBe(200);
    const { key } = ok.json() as { key: string };
    const got = (await inject(2)({ url: `/values/${key}` })).json();
    expect(got).toMatchObject({ kind: "mutable", name: "greeting", value: payload.data });
  });

  it("publishes verified peers on dht.v1.peer.found and lists them on dht.v1.peer.list", async () => {
    const list = await nodes[0]!.node.supervisorBus.request(DhtSubjects.peerList, { limit: 10 });
    expect(list.records.length).toBe(2);
    expect(list.records[0]!.wsPort).toBeGreaterThan(0);
  });

  it("publishes the record of a newly joined node on dht.v1.peer.found", async () => {
    const seen: string[] = [];
    await nodes[0]!.node.supervisorBus.subscribe(DhtSubjects.peerFound, (r) => {
      seen.push(r.nodeId);
    });
    const udp = await freeUdpPort();
    const node = await startTestNode("light", {
      P2PNODE_DEVNET: "1",
      P2PNODE_DHT_UDP_PORT: String(udp),
      P2PNODE_BOOTNODES: `127.0.0.1:${nodes[0]!.udp}`,
    });
    const svc = await startTestService(dhtService, node);
    nodes.push({ node, svc, udp });
    const id = ((await inject(3)({ url: "/table" })).json() as { nodeId: string }).nodeId;
    await eventually(
      () => seen,
      (s) => s.includes(id),
    );
  });

  it("signs under its network's chain id: a DHT of another chain is shut out", async () => {
    const dropped = async () =>
      ((await inject(0)({ url: "/stats" })).json() as { datagrams: { dropped: Record<string, number> } })
        .datagrams.dropped.bad_signature ?? 0;
    const before = await dropped();
    const genesis = testGenesis({ chainId: `${testGenesis().chainId}-other` });
    const udp = await freeUdpPort();
    const node = await startTestNode(
      "full",
      {
        P2PNODE_DEVNET: "1",
        P2PNODE_DHT_UDP_PORT: String(udp),
        P2PNODE_BOOTNODES: `127.0.0.1:${nodes[0]!.udp}`,
      },
      { genesis },
    );
    const svc = await startTestService(dhtService, node);
    try {
      expect(node.network.chainId).not.toBe(nodes[0]!.node.network.chainId);
      await eventually(dropped, (n) => n > before);
      const table = (app: RunningService) => app.ctx.app.inject({ url: "/table" }).then((r) => r.json());
      const foreign = (await table(svc)) as { nodeId: string; size: number };
      expect(foreign.size).toBe(0);
      const ours = (await table(nodes[0]!.svc)) as { buckets: { entries: { nodeId: string }[] }[] };
      expect(ours.buckets.flatMap((b) => b.entries.map((e) => e.nodeId))).not.toContain(foreign.nodeId);
    } finally {
      await svc.stop();
      await node.stop();
    }
  });

  it("reports stats and metrics", async () => {
    const stats = (await inject(0)({ url: "/stats" })).json() as {
      datagrams: { received: Record<string, number> };
    };
    expect(stats.datagrams.received.ping).toBeGreaterThan(0);
    const metrics = await inject(0)({ url: "/metrics" });
    expect(metrics.body).toContain("dht_routing_table_contacts");
  });
});
