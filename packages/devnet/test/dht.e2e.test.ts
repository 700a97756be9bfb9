import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { reportFailures } from "./e2e-helpers.js";

// Discovery and file storage across a real 5-node devnet: each node is given one bootnode only.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-dht-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);
const dht = (n: DevnetNode) => serviceUrls(n).dht!;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

async function download(node: DevnetNode, fileId: string): Promise<Buffer> {
  const res = await fetch(`${dht(node)}/files/${fileId}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  state = await devnet.up({ nodes: 5, miners: 0, portBase: await freePortBase(5) });
}, 240_000);
afterAll(() => devnet.down({ wipe: true }), 60_000);

describe("DHT on a 5-node devnet", () => {
  it("connects every node to at least 2 others from a single bootnode", async () => {
    const sizes = async () =>
      Promise.all(state.nodes.map((n) => json<{ size: number }>(`${dht(n)}/table`).then((t) => t.size)));
    const ok = await waitUntil(async () => (await sizes()).every((s) => s >= 2), 90_000, 500);
    const final = await sizes();
    expect(ok, `routing table sizes: ${final.join(", ")}`).toBe(true);
    // No static list beyond one bootnode: node4 was told only about node0, yet knows the rest.
    expect(state.nodes[4]!.index).toBe(4);
    expect(final[4]).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it("stores a 5 MB file on node0 and reads it intact on node4, also after node0 stops", async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const up = await json<{ fileId: string; size: number; chunks: number; minReplicas: number }>(
      `${dht(state.nodes[0]!)}/files?name=blob.bin`,
      {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: data,
      },
    );
    expect(up.size).toBe(data.length);
    // 5 nodes, 8 replicas per chunk: every other node confirmed every chunk before the 200
    expect(up.minReplicas).toBe(4);
    expect(sha(await download(state.nodes[4]!, up.fileId))).toBe(sha(data));

    await devnet.stopNode("node0");
    expect(sha(await download(state.nodes[4]!, up.fileId))).toBe(sha(data));

    // A corrupted chunk on the reader and on two other holders is detected and fetched from the last good one.
    const manifest = await json<{ chunks: string[] }>(`${dht(state.nodes[4]!)}/files/${up.fileId}/manifest`);
    const chunk = manifest.chunks[3]!;
    const auth = { authorization: `Bearer ${state.apiToken}` };
    for (const n of [state.nodes[4]!, state.nodes[1]!, state.nodes[2]!]) {
      const res = await fetch(`${dht(n)}/admin/debug/corrupt/${chunk}`, { method: "POST", headers: auth });
      expect(res.status, `corrupt on ${n.name}`).toBe(200);
    }
    const bad0 = (await json<{ values: { badValues: number } }>(`${dht(state.nodes[4]!)}/stats`)).values
      .badValues;
    expect(sha(await download(state.nodes[4]!, up.fileId))).toBe(sha(data));
    const bad1 = (await json<{ values: { badValues: number } }>(`${dht(state.nodes[4]!)}/stats`)).values
      .badValues;
    expect(bad1 - bad0).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
