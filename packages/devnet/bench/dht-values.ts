/**
 * DHT value put/get round trips through REST on a 5-node devnet. Network reads are forced by
 * writing values while node4 is down: once it is back, each first read of a value must go to the
 * network. Baseline, same run: a read that node0 answers from its own store. Writes
 * bench-results/dht-values.json.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Devnet } from "../src/devnet.js";
import { serviceUrls } from "../src/layout.js";
import { waitUntil } from "../src/processes.js";
import { formatTable } from "../src/table.js";

const N = Number(process.env.BENCH_VALUES ?? 40);
const devnet = new Devnet({ dir: mkdtempSync(join(tmpdir(), "p2pnode-bench-dht-")), logLevel: "warn" });

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, body };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

try {
  const state = await devnet.up({ nodes: 5, miners: 0, portBase: 24000 });
  const dht = state.nodes.map((n) => serviceUrls(n).dht!);
  await waitUntil(
    async () => {
      const sizes = await Promise.all(
        dht.map((u) => fetch(`${u}/table`).then((r) => r.json() as Promise<{ size: number }>)),
      );
      return sizes.every((s) => s.size >= 4);
    },
    60_000,
    500,
  );
  await devnet.stopNode("node4");
  const puts: number[] = [];
  const keys: string[] = [];
  for (let i = 0; i < N; i++) {
    const value = randomBytes(256).toString("base64");
    const r = await timed(`${dht[0]}/values`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value }),
    });
    puts.push(r.ms);
    keys.push((r.body as { key: string }).key);
  }
  await devnet.startNode("node4");
  await waitUntil(
    async () => ((await (await fetch(`${dht[4]}/table`)).json()) as { size: number }).size >= 3,
    60_000,
    500,
  );
  const netGets: number[] = [];
  for (const k of keys) netGets.push((await timed(`${dht[4]}/values/${k}`)).ms);
  const putsAllUp: number[] = [];
  for (let i = 0; i < N; i++) {
    const value = randomBytes(256).toString("base64");
    putsAllUp.push(
      (
        await timed(`${dht[0]}/values`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ value }),
        })
      ).ms,
    );
  }
  const localGets: number[] = [];
  for (const k of keys) localGets.push((await timed(`${dht[0]}/values/${k}`)).ms);

  const row = (name: string, xs: number[], base: number[]) => [
    name,
    `${pct(xs, 0.5).toFixed(1)} ms`,
    `${pct(xs, 0.9).toFixed(1)} ms`,
    `${pct(base, 0.5).toFixed(1)} ms`,
    (pct(xs, 0.5) / pct(base, 0.5)).toFixed(1),
  ];
  console.log(`DHT values on a 5-node devnet (${N} values of 256 bytes)\n`);
  console.log(
    formatTable(
      ["operation", "median", "p90", "baseline: local get median", "ratio"],
      [
        row("put, all 5 nodes up", putsAllUp, localGets),
        row("put, one holder down (RPC timeout)", puts, localGets),
        row("get from the network", netGets, localGets),
      ],
    ),
  );
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(
    "bench-results/dht-values.json",
    JSON.stringify(
      {
        values: N,
        putMs: { p50: pct(putsAllUp, 0.5), p90: pct(putsAllUp, 0.9) },
        putOneDownMs: { p50: pct(puts, 0.5), p90: pct(puts, 0.9) },
        networkGetMs: { p50: pct(netGets, 0.5), p90: pct(netGets, 0.9) },
        localGetMs: { p50: pct(localGets, 0.5), p90: pct(localGets, 0.9) },
      },
      null,
      2,
    ),
  );
} finally {
  await devnet.down({ wipe: true });
}
