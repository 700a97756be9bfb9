import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ChainClient, ServiceClient } from "@p2pnode/sdk";
import {
  API_LISTENER,
  DEFAULT_PORTS,
  ROLE_SERVICES,
  type Role,
  SERVICE_ENTRY,
  type ServiceName,
} from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";

/*
 * The tree the image ships, rehearsed without Docker: scripts/prod-tree.sh (the Dockerfile's prune
 * stage) builds it in a temporary folder from this built workspace, and everything below runs FROM
 * that tree: the entrypoint's exec line with the compose file's environment for `node`, three times
 * on one machine (each node on its own loopback address with the container ports; its own data dir
 * and NATS port; a bootnode instead of Docker's DNS name), then a `light` node, and the CLI commands
 * a user runs first. A run-time import that is only a devDependency fails here, as in a container.
 */
const root = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "p2pnode-prod-tree-"));
const tree = join(work, "app");
const entrypoint = readFileSync(join(root, "infra/docker/entrypoint.sh"), "utf8");
const execLine = /^exec (node .*) "\$@"$/m.exec(entrypoint)![1]!.split(/\s+/);
/** The entrypoint's command with the image's /app replaced by the rehearsed tree. */
const command = execLine.map((a) => a.replace(/^\/app\//, `${tree}/`));
const composeEnv = (
  parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
    services: { node: { environment: Record<string, string> } };
  }
).services.node.environment;

// 127.0.0.0/8 is all loopback on Linux: each node gets the container ports on an address of its own,
// in a /24 drawn at random so another checkout's run of this test on the machine does not collide.
const net = `127.${10 + Math.floor(Math.random() * 240)}.${Math.floor(Math.random() * 256)}`;
const ips = [2, 3, 4, 5].map((h) => `${net}.${h}`);
const MINERS = 3;
const LIGHT = 3; // index of the light node
const token = "prod-tree-e2e-admin-token-0123456789";
// Below the ephemeral range and the devnet e2e blocks (23000 up); each node adds its index.
const natsPortBase = 19_000 + 10 * Math.floor(Math.random() * 90);
const procs: ChildProcess[] = [];
const wallet = join(work, "wallet.json");
let walletAddress = "";

/** `p2pnode …` run from the tree, as `docker run p2pnode:local …` would. */
function p2pnode(...args: string[]) {
  const [bin, ...rest] = command;
  const r = spawnSync(bin === "node" ? process.execPath : bin!, [...rest, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH },
    timeout: 120_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function envFor(i: number, role: Role): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const [k, v] of Object.entries(composeEnv)) env[k] = String(v).replace(/\$\{(\w+):-([^}]*)\}/g, "$2");
  return {
    ...env,
    P2PNODE_ROLE: role,
    P2PNODE_DATA_DIR: join(work, `node${i}`),
    P2PNODE_GENESIS: String(env.P2PNODE_GENESIS).replace(/^\/app\//, `${tree}/`),
    P2PNODE_API_HOST: ips[i],
    P2PNODE_P2P_HOST: ips[i],
    P2PNODE_ADVERTISE_HOST: ips[i],
    P2PNODE_NATS_PORT: String(natsPortBase + i),
    P2PNODE_DNS_SEEDS: "",
    P2PNODE_BOOTNODES: i === 0 ? "" : `${ips[0]}:${DEFAULT_PORTS.dhtUdp}`,
    P2PNODE_API_TOKEN: token,
    P2PNODE_MINER_THREADS: "1",
    // node0's rewards fund the wallet `wallet new` made, so `tx send` has coins to move.
    ...(i === 0 ? { P2PNODE_MINER_ADDRESS: walletAddress } : {}),
    // node0 logs at info, as the image does by default: the test reads its start-up lines.
    P2PNODE_LOG_LEVEL: i === 0 ? "info" : "warn",
  };
}

const url = (i: number, service: ServiceName) => `http://${ips[i]}:${DEFAULT_PORTS[API_LISTENER[service]]}`;
const chain = (i: number) => new ChainClient(url(i, "chain"));
const logOf = (i: number) => readFileSync(join(work, `node${i}.log`), "utf8");

function startNode(i: number, role: Role): void {
  const log = openSync(join(work, `node${i}.log`), "a");
  const [bin, ...args] = command;
  procs[i] = spawn(bin === "node" ? process.execPath : bin!, [...args, "node", "start"], {
    env: envFor(i, role),
    stdio: ["ignore", log, log],
    detached: true,
  });
}

/** Waits until every service of each node answers /ready; a node whose supervisor exits fails at once with its log. */
async function waitReady(nodes: { i: number; role: Role }[]): Promise<void> {
  const ready = await waitUntil(
    async () => {
      for (const { i } of nodes) {
        if (procs[i]!.exitCode !== null || procs[i]!.signalCode !== null)
          throw new Error(`node${i} exited (${procs[i]!.exitCode ?? procs[i]!.signalCode}):\n${logOf(i)}`);
      }
      const all = await Promise.all(
        nodes.flatMap(({ i, role }) =>
          ROLE_SERVICES[role].map((s) =>
            new ServiceClient(url(i, s), { timeoutMs: 2_000 })
              .ready()
              .then((r) => r.ready)
              .catch(() => false),
          ),
        ),
      );
      return all.every(Boolean);
    },
    170_000,
    500,
  );
  if (!ready) throw new Error(`nodes not ready; logs in ${work}`);
}

beforeAll(async () => {
  execFileSync("sh", [join(root, "scripts/prod-tree.sh"), "--copy", root, tree], { stdio: "inherit" });
  const made = p2pnode("wallet", "--wallet", wallet, "new");
  expect(made.err).toBe("");
  expect(made.status).toBe(0);
  walletAddress = /address:\s+([0-9a-f]{40})/.exec(p2pnode("wallet", "--wallet", wallet, "show").out)![1]!;
  expect(composeEnv.P2PNODE_ROLE).toMatch(/miner/);
  for (let i = 0; i < MINERS; i++) startNode(i, "miner");
  await waitReady([0, 1, 2].map((i) => ({ i, role: "miner" as const })));
}, 240_000);

afterAll(async () => {
  const seen = new Set<number>();
  for (let i = 0; i < procs.length; i++)
    for (const p of allPids(readPids(join(work, `node${i}`)))) seen.add(p);
  for (const p of procs) if (p?.pid) seen.add(p.pid);
  for (const p of procs) p?.kill("SIGTERM");
  await waitUntil(() => [...seen].every((p) => !isAlive(p)), 30_000, 100);
  expect([...seen].filter(isAlive)).toEqual([]);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("the production tree (scripts/prod-tree.sh, as in the image)", () => {
  it("holds production dependencies only", () => {
    expect(existsSync(join(tree, "packages/cli/dist/main.js"))).toBe(true);
    expect(existsSync(join(tree, "packages/cli/src"))).toBe(false);
    // vitest is a devDependency of every package: a production install leaves it out.
    expect(existsSync(join(tree, "node_modules/vitest"))).toBe(false);
    expect(existsSync(join(tree, "packages/devnet/node_modules/yaml"))).toBe(false);
    // Every gateway serves the dashboard's page, bundled at build time.
    expect(existsSync(join(tree, "packages/dashboard/dist/page/index.html"))).toBe(true);
  });

  it("runs the supervisor from the CLI's bundle and each service from its own, which finds the packages it loads late from their own folders", async () => {
    const pids = readPids(join(work, "node0"))!;
    // The supervisor is the entrypoint's file, the CLI's bundle: none of our modules imported by path.
    const cliMain = join(tree, "packages/cli/dist/main.js");
    expect(readFileSync(`/proc/${pids.supervisor}/cmdline`, "utf8").split("\0")).toContain(cliMain);
    expect(readFileSync(cliMain, "utf8")).not.toMatch(/\bfrom\s*["']\.\.?\//);
    for (const s of ROLE_SERVICES.miner) {
      const cmdline = readFileSync(`/proc/${pids.services[s]}/cmdline`, "utf8").split("\0");
      expect(cmdline).toContain(join(tree, "services", s, SERVICE_ENTRY));
      // /docs loads @fastify/swagger and swagger-ui (its page's files beside its own code) only now.
      const doc = await fetch(`${url(0, s)}/docs/json`);
      expect(doc.status, s).toBe(200);
      expect(Object.keys(((await doc.json()) as { paths: object }).paths).length, s).toBeGreaterThan(0);
      expect((await fetch(`${url(0, s)}/docs/static/index.html`)).status, s).toBe(200);
    }
    // The chain's signature threads (packages/crypto's dist, outside the bundle) load libsodium's
    // addon from the pruned tree; without it they would fall back to the slower node:crypto.
    const metrics = await (await fetch(`${url(0, "chain")}/metrics`)).text();
    expect(metrics).toMatch(/chain_ed25519_engine_info\{engine="libsodium",service="chain"\} 1/);
    // Both services that verify say so at start, with the engine their threads loaded.
    const ready = logOf(0)
      .split("\n")
      .filter((l) => l.includes("signature threads ready"));
    for (const s of ["chain", "gateway"])
      expect(
        ready.filter((l) => l.includes(`"svc":"${s}"`) && l.includes(`"engine":"libsodium"`)),
        s,
      ).toHaveLength(1);
  });

  it("runs `p2pnode --help`", () => {
    const help = p2pnode("--help");
    expect(help.status).toBe(0);
    for (const c of ["node", "devnet", "wallet", "tx"])
      expect(help.out).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
  });

  it("discovers the other nodes from one bootnode and connects the gateways", async () => {
    const sizes = () =>
      Promise.all(
        [0, 1, 2].map((i) =>
          fetch(`${url(i, "dht")}/table`).then(async (r) => ((await r.json()) as { size: number }).size),
        ),
      );
    expect(await waitUntil(async () => (await sizes()).every((s) => s >= 2), 60_000, 500)).toBe(true);
    const peers = async (i: number) =>
      ((await (await fetch(`${url(i, "gateway")}/peers`)).json()) as { peers: unknown[] }).peers.length;
    expect(
      await waitUntil(
        async () => (await Promise.all([0, 1, 2].map(peers))).every((n) => n >= 1),
        60_000,
        500,
      ),
    ).toBe(true);
  }, 150_000);

  it("sends a transfer with `tx send --wait` and every node sees it mined", async () => {
    const amount = 1_250_000_000n; // 12.5
    const fee = 100_000n; // 0.001
    expect(
      await waitUntil(
        async () => BigInt((await chain(1).account(walletAddress)).balance) >= amount + fee,
        120_000,
        500,
      ),
    ).toBe(true);
    const to = "cd".repeat(20);
    const sent = p2pnode(
      "tx",
      "send",
      "--wallet",
      wallet,
      "--to",
      to,
      "--amount",
      "12.5",
      "--fee",
      "0.001",
      "--wait",
      "--node",
      url(1, "chain"),
    );
    expect(sent.err).toBe("");
    expect(sent.status).toBe(0);
    expect(sent.out).toMatch(/submitted [0-9a-f]{64}[\s\S]*mined in block [0-9]+/);
    for (const i of [0, 1, 2]) {
      expect(
        await waitUntil(async () => (await chain(i).account(to)).balance === String(amount), 60_000, 500),
      ).toBe(true);
    }
  }, 240_000);

  it("starts a light node that follows the chain by headers", async () => {
    startNode(LIGHT, "light");
    await waitReady([{ i: LIGHT, role: "light" }]);
    const h = (await chain(0).tip()).height;
    expect(await waitUntil(async () => (await chain(LIGHT).tip()).height >= h, 120_000, 500)).toBe(true);
  }, 240_000);

  it("agrees on one tip once one miner alone extends the chain", async () => {
    // Two miners stop; the third extends its chain until it is strictly the heaviest (an equal-work
    // fork would never resolve once everyone stops: first seen wins), then stops too.
    const stopMiner = (i: number) =>
      fetch(`${url(i, "miner")}/stop`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect((await stopMiner(1)).ok).toBe(true);
    expect((await stopMiner(2)).ok).toBe(true);
    const h0 = Math.max(...(await Promise.all([0, 1, 2].map(async (i) => (await chain(i).tip()).height))));
    expect(await waitUntil(async () => (await chain(0).tip()).height >= h0 + 2, 120_000, 250)).toBe(true);
    expect((await stopMiner(0)).ok).toBe(true);
    const agreed = await waitUntil(
      async () =>
        new Set((await Promise.all([0, 1, 2, LIGHT].map((i) => chain(i).tip()))).map((t) => t.hash)).size ===
        1,
      90_000,
      500,
    );
    expect(agreed).toBe(true);
  }, 240_000);
});
