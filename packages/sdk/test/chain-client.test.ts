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
