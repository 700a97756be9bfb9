import { readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type DevnetNode, nodePorts } from "@p2pnode/devnet";
import { connect, type NatsConnection } from "nats";

/** One request/response through a recording proxy. */
export interface Exchange {
  method: string;
  path: string;
  request: Uint8Array;
  response: Uint8Array;
}

export interface RecordingProxy {
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

async function body(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An HTTP proxy on loopback in front of `target` that keeps every request and response body. */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const server = createServer(async (req, res) => {
    const sent = await body(req);
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      async (r) => {
        const got = await body(r);
        exchanges.push({ method: req.method ?? "", path: req.url ?? "", request: sent, response: got });
        // connection and keep-alive are per hop: passing on the node's "keep-alive: timeout=72"
        // would have the client reuse sockets this proxy closes after its own 5 s
        const { connection: _c, "keep-alive": _k, ...headers } = r.headers;
        res.writeHead(r.statusCode ?? 502, headers);
        res.end(got);
      },
    );
    up.on("error", () => res.writeHead(502).end());
    up.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface NatsCapture {
  messages: { subject: string; data: Uint8Array }[];
  close(): Promise<void>;
}

/** Subscribes to every subject (`>`) on a node's own nats-server and keeps each message. */
export async function captureNats(node: DevnetNode): Promise<NatsCapture> {
  const token = readFileSync(join(node.dataDir, "nats.token"), "utf8").trim();
  const nc: NatsConnection = await connect({
    servers: `nats://127.0.0.1:${nodePorts(node).nats}`,
    token,
    reconnect: false,
  });
  const messages: NatsCapture["messages"] = [];
  const sub = nc.subscribe(">");
  void (async () => {
    for await (const m of sub) messages.push({ subject: m.subject, data: m.data });
  })();
  await nc.flush();
  return { messages, close: () => nc.drain() };
}
