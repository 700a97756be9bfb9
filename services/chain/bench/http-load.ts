import { Worker } from "node:worker_threads";

/** What one load run reports: requests answered per second and how many of each status. */
export interface LoadResult {
  perSecond: number;
  seconds: number;
  statuses: Record<string, number>;
  /** The first body of an unexpected status, to say why a run failed. */
  firstError?: string;
}

/**
 * The client, on its own thread so its event loop does not share the server's: `connections`
 * keep-alive sockets (node:http), each sending the next body as soon as its last answer is read.
 * Plain JS (eval) so it needs no TypeScript loader.
 */
const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { port, path, bodies, connections, expect, contentType } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const statuses = {};
let firstError;
let next = 0;
function send(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: "POST", agent,
        headers: { "content-type": contentType, "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode !== expect && firstError === undefined) firstError = Buffer.concat(chunks).toString();
          resolve();
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
async function loop() {
  while (next < bodies.length) await send(bodies[next++]);
}
const t0 = performance.now();
Promise.all(Array.from({ length: connections }, loop)).then(
  () => {
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    parentPort.postMessage({ perSecond: bodies.length / seconds, seconds, statuses, firstError });
  },
  (err) => parentPort.postMessage({ error: String(err) }),
);
`;

/**
 * POSTs every body to `http://127.0.0.1:port{path}` over `connections` keep-alive sockets: JSON
 * text, or bytes as application/octet-stream.
 */
export function postLoad(o: {
  port: number;
  path: string;
  bodies: string[] | Uint8Array[];
  connections: number;
  /** The status every answer should have; others are counted and the first is kept. */
  expect: number;
}): Promise<LoadResult> {
  const contentType = typeof o.bodies[0] === "string" ? "application/json" : "application/octet-stream";
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { ...o, contentType } });
    worker.once("message", (m: LoadResult & { error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once("error", reject);
  });
}
