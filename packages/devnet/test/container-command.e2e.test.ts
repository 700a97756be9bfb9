import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ChainClient, ServiceClient } from "@p2pnode/sdk";
import { type API_LISTENER, ROLE_SERVICES } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";

/*
 * The container's command line, run three times on one machine: the entrypoint's exec line and the
 * compose file's environment for the `node` service, with only what one shared host forces changed
 * (each node gets its own loopback address for the container ports, its own data dir and NATS
 * port), and a bootnode instead of Docker's DNS name.
 */
const root = resolve(import.meta.dirname, "../../..");
const entrypoint = readFileSync(join(root, "infra/docker/entrypoint.sh"), "utf8");
const execLine = /^exec (node .*) "\$@"$/m.exec(entrypoint)![1]!.split(/\s+/);
const command = execLine.map((a) => a.replace(/^\/app\//, `${root}/`));
const composeEnv = (
  parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
    services: { node: { environment: Record<string, string> } };
  }
).services.node.environment;

const ips = ["127.0.0.11", "127.0.0.12", "127.0.0.13"];
const token = "container-e2e-admin-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "p2pnode-container-e2e-"));
const procs: ChildProcess[] = [];
const seen = new Set<number>();

function envFor(i: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const [k, v] of Object.entries(composeEnv)) env[k] = String(v).replace(/\$\{(\w+):-([^}]*)\}/g, "$2");
  return {
    ...env,
    P2PNODE_DATA_DIR: join(dir, `node${i}`),
    P2PNODE_GENESIS: String(env.P2PNODE_GENESIS).replace(/^\/app\//, `${root}/`),
    P2PNODE_API_HOST: ips[i],
    P2PNODE_P2P_HOST: ips[i],
    P2PNODE_ADVERTISE_HOST: ips[i],
    P2PNODE_NATS_PORT: String(24_922 + i),
    P2PNODE_DNS_SEEDS: "",
    P2PNODE_BOOTNODES: i === 0 ? "" : `${ips[0]}:7401`,
    P2PNODE_API_TOKEN: token,
    P2PNODE_MINER_THREADS: "1",
    P2PNODE_LOG_LEVEL: "warn",
  };
}

const url = (i: number, service: keyof typeof API_LISTENER) =>
  `http://${ips[i]}:${{ gateway: 7100, chain: 7200, miner: 7300, dht: 7400, zkp: 7500, compute: 7600 }[service]}`;

beforeAll(async () => {
  expect(composeEnv.P2PNODE_ROLE).toMatch(/miner/);
  for (let i = 0; i < 3; i++) {
    const log = openSync(join(dir, `node${i}.log`), "a");
    const [bin, ...args] = command;
    const p = spawn(bin === "node" ? process.execPath : bin!, [...args, "node", "start"], {
      env: envFor(i),
      stdio: ["ignore", log, log],
      detached: true,
    });
    procs.push(p);
  }
  const ready = await waitUntil(
    async () => {
      const all = await Promise.all(
        ips.flatMap((_, i) =>
          ROLE_SERVICES.miner.map((s) =>
            new ServiceClient(url(i, s), { timeoutMs: 2_000 })
              .ready()
              .then((r) => r.ready)
              .catch(() => false),
          ),
        ),
      );
      return all.every(Boolean);
    },
    150_000,
    500,
  );
  if (!ready) throw new Error(`nodes not ready; logs in ${dir}`);
}, 180_000);

afterAll(async () => {
  for (let i = 0; i < 3; i++) for (const p of allPids(readPids(join(dir, `node${i}`)))) seen.add(p);
  for (const p of procs) if (p.pid) seen.add(p.pid);
  for (const p of procs) p.kill("SIGTERM");
  await waitUntil(() => [...seen].every((p) => !isAlive(p)), 30_000, 100);
  expect([...seen].filter(isAlive)).toEqual([]);
}, 60_000);

describe("the container command on three loopback hosts", () => {
  it("discovers the other nodes from one bootnode", async () => {
    const sizes = async () =>
      Promise.all(
        ips.map((_, i) =>
          fetch(`${url(i, "dht")}/table`).then(async (r) => ((await r.json()) as { size: number }).size),
        ),
      );
    expect(await waitUntil(async () => (await sizes()).every((s) => s >= 2), 60_000, 500)).toBe(true);
  }, 90_000);

  it("connects the gateways and agrees on the tip", async () => {
    const peers = async (i: number) =>
      ((await (await fetch(`${url(i, "gateway")}/peers`)).json()) as { peers: unknown[] }).peers.length;
    expect(
      await waitUntil(
        async () => (await Promise.all(ips.map((_, i) => peers(i)))).every((n) => n >= 1),
        60_000,
        500,
      ),
    ).toBe(true);
    const chains = ips.map((_, i) => new ChainClient(url(i, "chain")));
    expect(
      await waitUntil(
        async () => (await Promise.all(chains.map((c) => c.tip()))).every((t) => t.height >= 3),
        120_000,
        500,
      ),
    ).toBe(true);
    // Two miners stop; the third extends its chain until it is strictly the heaviest (an equal-work
    // fork would never resolve once everyone stops: first seen wins), then stops too.
    const stopMiner = (i: number) =>
      fetch(`${url(i, "miner")}/stop`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    await stopMiner(1);
    await stopMiner(2);
    const h0 = (await chains[0]!.tip()).height;
    expect(await waitUntil(async () => (await chains[0]!.tip()).height >= h0 + 2, 120_000, 250)).toBe(true);
    await stopMiner(0);
    const agreed = await waitUntil(
      async () => new Set((await Promise.all(chains.map((c) => c.tip()))).map((t) => t.hash)).size === 1,
      60_000,
      500,
    );
    expect(agreed).toBe(true);
  }, 240_000);
});
