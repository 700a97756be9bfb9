/**
 * The peer graph's frame rate in headless Chromium: a synthetic network of BENCH_NODES (default
 * 1,000) nodes, 4 peers each, against a 10-node one in the same run, while the camera turns every
 * frame (each frame re-renders every node and edge). Served by a static server from dist/page,
 * no gateway. Chromium here renders WebGL in software (SwiftShader): a desktop GPU does better.
 * Writes bench-results/dashboard-graph.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { dashboardPageDir } from "../src/node/index.js";
import { offlineBrowser } from "../test/browser.js";

const NODES = Number(process.env.BENCH_NODES ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const dir = dashboardPageDir();
const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0]!;
  const file = path === "/dashboard" ? "index.html" : path.replace(/^\/dashboard\//, "");
  try {
    const body = readFileSync(join(dir, file));
    res.writeHead(200, {
      "content-type": file.endsWith(".js")
        ? "text/javascript"
        : file.endsWith(".css")
          ? "text/css"
          : "text/html",
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const { port } = server.address() as { port: number };
const browser = await offlineBrowser({ width: 1280, height: 900 });
// tsx keeps function names with a __name helper the page does not have.
await browser.context.addInitScript({ content: "globalThis.__name = (f) => f;" });

async function fps(nodes: number): Promise<{ nodes: number; fps: number; firstDrawMs: number }> {
  browser.page.on("pageerror", (e) => console.error("page error:", e.message));
  await browser.page.goto(`http://127.0.0.1:${port}/dashboard?synthetic=${nodes}`);
  await browser.page.waitForFunction(
    () => (window as unknown as { __dashboard: { renders: number } }).__dashboard.renders > 0,
  );
  return browser.page.evaluate(
    (seconds) =>
      new Promise<{ nodes: number; fps: number; firstDrawMs: number }>((resolve) => {
        const probe = (
          window as unknown as {
            __dashboard: {
              camera: { getState(): { angle: number }; setState(s: { angle: number }): void };
              firstDrawMs: number;
            };
          }
        ).__dashboard;
        const cam = probe.camera;
        let frames = 0;
        const t0 = performance.now();
        const step = () => {
          cam.setState({ angle: cam.getState().angle + 0.01 });
          frames++;
          const t = performance.now() - t0;
          if (t < seconds * 1000) requestAnimationFrame(step);
          else
            resolve({
              nodes: Number(document.getElementById("graph")!.dataset.nodes),
              fps: frames / (t / 1000),
              firstDrawMs: probe.firstDrawMs,
            });
        };
        requestAnimationFrame(step);
      }),
    SECONDS,
  );
}

try {
  const small = await fps(10);
  const big = await fps(NODES);
  const result = { small, big, ratio: big.fps / small.fps, outsideRequests: browser.outside.length };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync("bench-results", { recursive: true });
  writeFileSync("bench-results/dashboard-graph.json", `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  server.close();
}
