import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { freePort, startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import {
  ChainSubjects,
  ComputeSubjects,
  ConsensusSubjects,
  DashboardNetwork,
  DashboardNode,
} from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayService } from "../src/api.js";
import { fetchSnapshot, KnownGateways, REMEMBER_MS } from "../src/dashboard-crawl.js";
import { ChainStub } from "./helpers/chain-stub.js";
import { ADMIN } from "./helpers/cluster.js";

// Three real gateways on loopback in a line A → B → C, each REST port one below its P2P port as
// in every shipped layout, so A's network view reaches C by following B.

interface Gw {
  node: TestNode;
  chain: ChainStub;
  url: string;
  p2pPort: number;
  id: string;
  stop: () => Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createNetServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function startGw(): Promise<Gw> {
  let api = await freePort();
  while (!(await portFree(api + 1))) api = await freePort();
  const node = await startTestNode("full");
  const chain = await ChainStub.start(node);
  const svc = await startTestService(
    createGatewayService({ options: { pingIntervalMs: 300, dialIntervalMs: 200, discovery: false } }),
    node,
    { P2PNODE_GATEWAY_PORT: String(api), P2PNODE_P2P_PORT: String(api + 1), P2PNODE_DEVNET: "1" },
  );
  const self = DashboardNode.parse(await (await fetch(`${svc.url}/dashboard/api/node`)).json());
  return {
    node,
    chain,
    url: svc.url,
    p2pPort: api + 1,
    id: self.nodeId,
    stop: async () => {
      await svc.stop();
      await chain.stop();
      await node.stop();
    },
  };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let a: Gw;
let b: Gw;
let c: Gw;
beforeAll(async () => {
  [a, b, c] = await Promise.all([startGw(), startGw(), startGw()]);
  for (const [from, to] of [
    [a, b],
    [b, c],
  ] as const) {
    const r = await fetch(`${from.url}/peers/connect`, {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ host: "127.0.0.1", port: to.p2pPort }),
    });
    expect(r.status).toBe(200);
  }
});
afterAll(async () => {
  await Promise.all([a, b, c].map((g) => g?.stop()));
});

describe("GET /dashboard", () => {
  it("serves the page and its assets from the gateway, referring to nothing outside it", async () => {
    const r = await fetch(`${a.url}/dashboard`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await r.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) {
      expect(ref, "every asset is the gateway's own").toMatch(/^\/dashboard\/assets\//);
      const asset = await fetch(`${a.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const js = await (await fetch(`${a.url}/dashboard/assets/dashboard.js`)).text();
    expect(js).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css|woff2?)/i);
  });

  it("answers an unknown asset or a path outside the page with a typed 4xx", async () => {
    const missing = await fetch(`${a.url}/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const outside = await fetch(`${a.url}/dashboard/assets/..%2F..%2Fpackage.json`);
    expect(outside.status).toBe(400);
  });
});

describe("GET /dashboard/api/network", () => {
  it("follows peers outward: A sees B and, through B, C, with every link and its direction", async () => {
    const net = await until(
      async () => DashboardNetwork.parse(await (await fetch(`${a.url}/dashboard/api/network`)).json()),
      (n) => n.nodes.length === 3,
    );
    expect(net.self).toBe(a.id);
    expect(net.nodes.map((n) => n.node.nodeId).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(net.unreachable).toEqual([]);
    const nodeB = net.nodes.find((n) => n.node.nodeId === b.id)!;
    expect(nodeB.url).toBe(b.url);
    expect(nodeB.node.peers.map((p) => [p.id, p.direction]).sort()).toEqual(
      [
        [a.id, "inbound"],
        [c.id, "outbound"],
      ].sort(),
    );
    expect(nodeB.node.messages).not.toEqual({});
  });

  it("still shows a gateway cut off from every peer, as its own component", async () => {
    await until(
      async () => DashboardNetwork.parse(await (await fetch(`${a.url}/dashboard/api/network`)).json()),
      (n) => n.nodes.length === 3,
    );
    const cut = await fetch(`${c.url}/peers/allowlist`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ nodeIds: [] }),
    });
    expect(cut.status).toBe(200);
    const net = await until(
      async () => DashboardNetwork.parse(await (await fetch(`${a.url}/dashboard/api/network`)).json()),
      (n) => n.nodes.find((x) => x.node.nodeId === c.id)?.node.peers.length === 0,
    );
    expect(net.nodes.map((n) => n.node.nodeId).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(net.nodes.find((x) => x.node.nodeId === b.id)!.node.peers.map((p) => p.id)).toEqual([a.id]);
    const lifted = await fetch(`${c.url}/peers/allowlist`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ nodeIds: null }),
    });
    expect(lifted.status).toBe(200);
  });

  it("lists a peer whose REST answers as another node, or not at all, as unreachable with the reason", async () => {
    let body = "";
    const server: Server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const mine = DashboardNode.parse(await (await fetch(`${b.url}/dashboard/api/node`)).json());
    try {
      body = JSON.stringify(mine);
      await expect(fetchSnapshot(`http://127.0.0.1:${port}`, a.id)).rejects.toThrow(/another node answered/);
      body = JSON.stringify({ ...mine, peers: "x" });
      await expect(fetchSnapshot(`http://127.0.0.1:${port}`, b.id)).rejects.toThrow(/malformed snapshot/);
      body = "not json";
      await expect(fetchSnapshot(`http://127.0.0.1:${port}`, b.id)).rejects.toThrow();
    } finally {
      server.close();
    }
    await expect(fetchSnapshot(`http://127.0.0.1:${port}`, b.id)).rejects.toThrow();
  });
});

describe("GET /dashboard/api/events", () => {
  it("streams a committed block, final blocks, evidence and compute progress as they are published", async () => {
    const ctl = new AbortController();
    const res = await fetch(`${a.url}/dashboard/api/events`, { signal: ctl.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    const read = async (want: RegExp) => {
      while (!want.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await read(/retry: 2000/);
    const hash = "ab".repeat(32);
    a.chain.bus.publish(ChainSubjects.blockAccepted, {
      hash,
      height: 7,
      status: "connected",
      txCount: 0,
      totalWork: "7",
      block: new Uint8Array(0), // not a block: the feed shows the event, no relay serves it
    });
    await read(/event: block\ndata: .*"height":7/);
    const line = text.split("\n").find((l) => l.startsWith("data:") && l.includes(hash))!;
    expect(JSON.parse(line.slice(5))).toMatchObject({ kind: "block", hash, height: 7, status: "connected" });

    // Dolev-strong: a block made final and evidence recorded go out as they happen.
    a.chain.bus.publish(ConsensusSubjects.blockFinalized, {
      hash,
      height: 8,
      slot: 11,
      signers: 3,
      certificate: new Uint8Array([0]),
    });
    await read(/event: final\ndata: .*"slot":11/);
    a.chain.bus.publish(ConsensusSubjects.evidenceRecorded, {
      slot: 12,
      leader: 0,
      evidence: new Uint8Array([0]),
    });
    await read(/event: evidence\ndata: .*"slot":12/);
    // Compute: many job decisions of one task within a second reach the page as its latest state.
    const jobs = (done: number) => ({ total: 50, done, failed: 0, running: 1, pending: 49 - done });
    for (let done = 1; done <= 20; done++) {
      a.chain.bus.publish(ComputeSubjects.taskProgress, {
        taskId: "t1",
        type: "job",
        jobs: jobs(done),
        at: 1,
      });
    }
    await read(/event: task\ndata: .*"done":20/);
    const taskLines = text.split("\n").filter((l) => l.startsWith("data:") && l.includes('"kind":"task"'));
    expect(taskLines.length).toBeLessThan(20);
    expect(JSON.parse(taskLines.at(-1)!.slice(5))).toMatchObject({
      id: "t1",
      type: "job",
      done: 20,
      total: 50,
    });
    ctl.abort();
  });
});

describe("KnownGateways", () => {
  it("forgets a gateway not reached for REMEMBER_MS, and keeps at most its bound (oldest out)", () => {
    const k = new KnownGateways(2);
    k.remember("a", "http://a", 0);
    k.remember("b", "http://b", 10);
    expect(k.recent(20)).toEqual([
      ["a", "http://a"],
      ["b", "http://b"],
    ]);
    k.remember("c", "http://c", 30);
    expect(k.recent(40).map(([id]) => id)).toEqual(["b", "c"]);
    expect(k.recent(10 + REMEMBER_MS + 1).map(([id]) => id)).toEqual(["c"]);
  });
});
