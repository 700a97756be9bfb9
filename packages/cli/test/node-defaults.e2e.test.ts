import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { allPids, isAlive, readPids, waitUntil } from "@p2pnode/devnet";
import { testGenesis } from "@p2pnode/kit/testing";
import { ServiceClient } from "@p2pnode/sdk";
import { portsFromBase } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * A node started by hand with the README's defaults (only data dir, genesis, role and a port base
 * given): the P2P WebSocket and the DHT's UDP socket listen on every address (P2PNODE_P2P_HOST,
 * default 0.0.0.0) so peers can dial in, while the REST APIs stay on 127.0.0.1 (P2PNODE_API_HOST).
 */
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const dir = mkdtempSync(join(tmpdir(), "p2pnode-defaults-"));
const genesis = join(dir, "genesis.json");
writeFileSync(genesis, JSON.stringify(testGenesis()));
// Below the kernel's ephemeral ports and the devnet tests' blocks (20000 up).
const base = 10_000 + 1000 * Math.floor(Math.random() * 9);
const ports = portsFromBase(base);
let node: ChildProcess;

/** Local addresses of LISTEN (tcp) or bound (udp) sockets on `port`, from /proc/net. */
function boundAddresses(proto: "tcp" | "udp", port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync(`/proc/net/${proto}`, "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && (proto === "udp" || f[3] === "0A"))
    .map((f) => {
      const ip = Buffer.from(f[1]!.split(":")[0]!, "hex").reverse();
      return [...ip].join(".");
    });
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host, port }, () => {
      s.destroy();
      done(true);
    });
    s.once("error", () => done(false));
  });
}

beforeAll(async () => {
  node = spawn(process.execPath, [CLI, "node", "start"], {
    env: {
      PATH: process.env.PATH,
      P2PNODE_DATA_DIR: join(dir, "data"),
      P2PNODE_GENESIS: genesis,
      P2PNODE_ROLE: "light",
      P2PNODE_PORT_BASE: String(base),
      P2PNODE_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const gateway = new ServiceClient(`http://127.0.0.1:${ports.gatewayApi}`, { timeoutMs: 2_000 });
  const ready = await waitUntil(
    async () => {
      if (node.exitCode !== null) throw new Error(`node start exited with ${node.exitCode}`);
      return (await gateway.ready().catch(() => undefined))?.ready === true;
    },
    120_000,
    250,
  );
  expect(ready).toBe(true);
}, 150_000);

afterAll(async () => {
  const pids = [node.pid!, ...allPids(readPids(join(dir, "data")))];
  node.kill("SIGTERM");
  await waitUntil(() => pids.every((p) => !isAlive(p)), 30_000, 100);
  expect(pids.filter(isAlive)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("a node started with the README's defaults", () => {
  it("listens for P2P on 0.0.0.0 (WebSocket and DHT UDP) and serves REST on 127.0.0.1 only", async () => {
    expect(boundAddresses("tcp", ports.p2p)).toEqual(["0.0.0.0"]);
    expect(boundAddresses("udp", ports.dhtUdp)).toEqual(["0.0.0.0"]);
    expect(boundAddresses("tcp", ports.gatewayApi)).toEqual(["127.0.0.1"]);
    // Dialled on an address other than the REST host, as a peer would: P2P answers, REST does not.
    expect(await tcpConnects("127.0.0.2", ports.p2p)).toBe(true);
    expect(await tcpConnects("127.0.0.2", ports.gatewayApi)).toBe(false);
    const r = await new ServiceClient(`http://127.0.0.1:${ports.gatewayApi}`).ready();
    expect(r.checks.p2p?.detail).toBe(`listening on 0.0.0.0:${ports.p2p}/p2p`);
  });

  it("starts the chain with V8's default young generation and the other services with a small one", () => {
    const services = readPids(join(dir, "data"))?.services ?? {};
    const argv = (pid: number | undefined) =>
      pid === undefined ? [] : readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(argv(services.chain)).toContain(process.execPath);
    expect(argv(services.chain).some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
    for (const name of ["gateway", "dht"] as const)
      expect(argv(services[name])).toContain("--max-semi-space-size=1");
  });

  it("refuses a second supervisor on the same data dir with one line", () => {
    const r = spawnSync(process.execPath, [CLI, "node", "start"], {
      env: {
        PATH: process.env.PATH,
        P2PNODE_DATA_DIR: join(dir, "data"),
        P2PNODE_GENESIS: genesis,
        P2PNODE_ROLE: "light",
        P2PNODE_PORT_BASE: String(base),
        P2PNODE_LOG_LEVEL: "silent",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `p2pnode: a node already runs on ${join(dir, "data")} (supervisor pid ${node.pid}): stop it first\n`,
    );
    expect(isAlive(node.pid!)).toBe(true);
  });
});
