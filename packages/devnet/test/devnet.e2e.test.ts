import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateIdentity } from "@p2pnode/crypto";
import { ServiceClient } from "@p2pnode/sdk";
import { BlockDetail } from "@p2pnode/types";
import { connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { nodePorts, serviceUrls } from "../src/layout.js";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { reportFailures } from "./e2e-helpers.js";

// A real 3-node devnet: supervisors, nats-servers and 18 service processes on loopback.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-devnet-"));

const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);
const seenPids = new Set<number>();
const remember = () => {
  for (const n of state.nodes) for (const p of allPids(readPids(n.dataDir))) seenPids.add(p);
};

beforeAll(async () => {
  state = await devnet.up({
    nodes: 3,
    miners: 1,
    portBase: await freePortBase(3),
    readyTimeoutMs: 150_000,
  });
  remember();
}, 180_000);

afterAll(async () => {
  await devnet.down({ wipe: true }).catch(() => undefined);
}, 60_000);

describe("3-node devnet", () => {
  it("brings up all 18 services, each answering /ready", async () => {
    const services = await devnet.services(state);
    expect(services).toHaveLength(18);
    expect(services.filter((s) => !s.ready).map((s) => `${s.node.name}/${s.service}`)).toEqual([]);
  });

  it("every service reports its own node's nodeId on /info (no service talks to another node's NATS)", async () => {
    const ids = new Set<string>();
    for (const node of state.nodes) {
      const nodeId = loadOrCreateIdentity(node.dataDir).nodeIdHex;
      ids.add(nodeId);
      for (const [service, url] of Object.entries(serviceUrls(node))) {
        const info = await new ServiceClient(url).info();
        expect({ service: info.service, nodeId: info.nodeId, role: info.role }).toEqual({
          service,
          nodeId,
          role: node.role,
        });
      }
    }
    expect(ids.size).toBe(3);
  });

  it("every service of every node is on one network: the genesis hash is the chain's block 0", async () => {
    const networks = new Set<string>();
    for (const node of state.nodes) {
      const urls = serviceUrls(node);
      const block0 = BlockDetail.parse(await (await fetch(`${urls.chain}/blocks/0`)).json());
      for (const url of Object.values(urls)) {
        const info = await new ServiceClient(url!).info();
        expect(info.genesisHash).toBe(block0.hash);
        networks.add(`${info.chainId}/${info.genesisHash}`);
      }
    }
    expect(networks.size).toBe(1);
    expect([...networks][0]!.startsWith(`${state.chainId}/`)).toBe(true);
  });

  it("keeps the node's NATS on loopback only and refuses clients without its token", async () => {
    const node = state.nodes[1]!;
    const port = nodePorts(node).nats;
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const listeners = readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A");
    expect(listeners.map((f) => f[1])).toEqual([`0100007F:${hexPort}`]);
    const v6 = readFileSync("/proc/net/tcp6", "utf8");
    expect(v6).not.toMatch(new RegExp(`:${hexPort} [0-9A-F]+:0000 0A`));
    const noToken = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }).catch(
      (e: unknown) => e,
    );
    expect(String(noToken)).toMatch(/Authorization/i);
    const token = readFileSync(join(node.dataDir, "nats.token"), "utf8").trim();
    const ok = await connect({ servers: `nats://127.0.0.1:${port}`, token, reconnect: false });
    await ok.close();
  });

  it("restarts a service killed with SIGKILL, and it becomes ready again", async () => {
    const node = state.nodes[2]!;
    const chain = new ServiceClient(serviceUrls(node).chain!);
    const before = await chain.info();
    process.kill(before.pid, "SIGKILL");
    const restarted = await waitUntil(
      async () => {
        const info = await chain.info().catch(() => undefined);
        return info !== undefined && info.pid !== before.pid && (await chain.ready()).ready;
      },
      60_000,
      200,
    );
    expect(restarted).toBe(true);
    expect(isAlive(before.pid)).toBe(false);
    remember();
  }, 90_000);

  it("brings back a node whose supervisor was SIGKILLed: `up` reaps what it left holding the node's ports", async () => {
    const node = state.nodes[1]!;
    const before = readPids(node.dataDir)!;
    const stale = [before.nats!, ...Object.values(before.services)];
    // A hung service (SIGSTOP: it can no longer notice its supervisor is gone and exit) keeps its
    // port; nats-server too where it cannot be tied to its parent's death (no setpriv).
    const hung = before.services.chain!;
    process.kill(hung, "SIGSTOP");
    process.kill(node.pid!, "SIGKILL");
    expect(await waitUntil(() => !isAlive(before.supervisor), 10_000, 50)).toBe(true);
    expect(isAlive(hung)).toBe(true);
    state = await devnet.up({ readyTimeoutMs: 150_000 });
    remember();
    expect(stale.filter(isAlive)).toEqual([]);
    const after = readPids(node.dataDir)!;
    expect(after.supervisor).toBe(state.nodes[1]!.pid);
    expect(after.services.chain).not.toBe(hung);
    expect(devnet.tail(state.nodes[1]!, 200)).toMatch(/killed a process left over from a previous run/);
    const services = await devnet.services(state);
    expect(services.filter((s) => !s.ready).map((s) => `${s.node.name}/${s.service}`)).toEqual([]);
  }, 240_000);

  it("restarts with its data on a second `up`, keeping every node's identity", async () => {
    const ids = state.nodes.map((n) => loadOrCreateIdentity(n.dataDir).nodeIdHex);
    const stopped = await devnet.down();
    for (const p of stopped) seenPids.add(p);
    expect([...seenPids].filter(isAlive)).toEqual([]);
    state = await devnet.up({ readyTimeoutMs: 150_000 });
    remember();
    expect(state.nodes.map((n) => loadOrCreateIdentity(n.dataDir).nodeIdHex)).toEqual(ids);
    const info = await new ServiceClient(serviceUrls(state.nodes[0]!).gateway!).info();
    expect(info.nodeId).toBe(ids[0]);
  }, 240_000);

  it("`down` leaves no process behind (checked by pid)", async () => {
    remember();
    expect(seenPids.size).toBeGreaterThanOrEqual(3 * 8);
    await devnet.down();
    expect([...seenPids].filter(isAlive)).toEqual([]);
  }, 60_000);
});
