import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SignedTransactionJson } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import { ChainClient } from "../src/chain-client.js";

/*
 * POST /txs against a node whose connection dies without a reply: the submit is tried once more,
 * and a DUPLICATE on that second try means the first one was admitted.
 */

const ID = "ab".repeat(32);
const tx = (id?: string) =>
  ({ ...(id ? { id } : {}), tx: { kind: "transfer" }, signature: "" }) as unknown as SignedTransactionJson;

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A node: `answer(n)` for the n-th POST (1-based) returns a status and body, or "drop" to cut the socket. */
async function node(answer: (n: number, body: string) => [number, unknown] | "drop"): Promise<string> {
  let n = 0;
  server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const c of req) body += c;
    const a = answer(++n, body);
    if (a === "drop") return req.socket.destroy();
    res.writeHead(a[0], { "content-type": "application/json" }).end(JSON.stringify(a[1]));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const duplicate = { error: { code: "DUPLICATE", message: "already in the mempool" } };

describe("ChainClient.submitTx", () => {
  it("a connection cut before the reply is tried again, and the tx is submitted", async () => {
    const seen: string[] = [];
    const url = await node((n, body) => {
      seen.push(body);
      return n === 1 ? "drop" : [202, { id: ID, status: "pending" }];
    });
    expect(await new ChainClient(url).submitTx(tx(ID))).toEqual({ id: ID, status: "pending" });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  it("DUPLICATE on the second try means the first got through: pending, with the id sent", async () => {
    const url = await node((n) => (n === 1 ? "drop" : [409, duplicate]));
    expect(await new ChainClient(url).submitTx(tx(ID))).toEqual({ id: ID, status: "pending" });
  });

  it("without an id, a DUPLICATE after a cut connection stays an error", async () => {
    const url = await node((n) => (n === 1 ? "drop" : [409, duplicate]));
    await expect(new ChainClient(url).submitTx(tx())).rejects.toMatchObject({
      code: "DUPLICATE",
      status: 409,
    });
  });

  it("a refusal is not tried again, and a DUPLICATE on the first try stays an error", async () => {
    let posts = 0;
    const url = await node(() => {
      posts++;
      return [409, duplicate];
    });
    await expect(new ChainClient(url).submitTx(tx(ID))).rejects.toMatchObject({ code: "DUPLICATE" });
    expect(posts).toBe(1);
  });

  it("a node that keeps cutting the connection: UPSTREAM_UNAVAILABLE after two tries", async () => {
    let posts = 0;
    const url = await node(() => {
      posts++;
      return "drop";
    });
    await expect(new ChainClient(url).submitTx(tx(ID))).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect(posts).toBe(2);
  });
});

describe("ChainClient.submitRawTx", () => {
  const bytes = new Uint8Array([0xa3, 1, 2, 3, 0xff, 0]);
  const idOfBytes = createHash("sha256").update(bytes).digest("hex");

  it("posts the bytes as they are to /txs/raw; DUPLICATE after a cut connection is pending under the bytes' hash", async () => {
    const seen: { url: string; type: string; body: Buffer }[] = [];
    let n = 0;
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ url: req.url!, type: req.headers["content-type"]!, body: Buffer.concat(chunks) });
      if (++n === 1) return req.socket.destroy();
      res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify(duplicate));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    expect(await new ChainClient(url).submitRawTx(bytes)).toEqual({ id: idOfBytes, status: "pending" });
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect([s.url, s.type]).toEqual(["/txs/raw", "application/octet-stream"]);
      expect(new Uint8Array(s.body)).toEqual(bytes);
    }
  });
});
