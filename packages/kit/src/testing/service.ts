import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkOf } from "@p2pnode/rules";
import { type Genesis, type NodeNetwork, NodeSubjects, type Role } from "@p2pnode/types";
import { Bus } from "../bus/index.js";
import { createLogger } from "../log/index.js";
import {
  type RunningService,
  type ServiceDefinition,
  type StartOptions,
  startService,
} from "../service/index.js";
import { freePort, startTestNats, type TestNats } from "./nats.js";

/** A genesis for tests: every hash meets the target, so a block is mined on the first nonce. */
export function testGenesis(overrides: Partial<Genesis> = {}): Genesis {
  return {
    chainId: "test-chain",
    timestamp: 1_700_000_000_000,
    allocations: [],
    consensus: {
      targetBlockTimeMs: 1_000,
      initialTarget: "f".repeat(64),
      retargetWindow: 10,
      blockReward: "5000000000",
    },
    validators: [],
    ...overrides,
  };
}

export interface TestNode {
  nats: TestNats;
  nodeId: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** What node.v1.network.get answers: the network of `testGenesis()` unless one was given. */
  network: NodeNetwork;
  /** Answers node.v1.identity.get and node.v1.network.get as the supervisor would. */
  supervisorBus: Bus;
  stop: () => Promise<void>;
}

export interface TestNodeOptions {
  /** The node's genesis (default `testGenesis()`); its network is derived as the supervisor does. */
  genesis?: Genesis;
}

/** A bus on a test NATS, silent: a stand-in supervisor, a test client. */
export function connectTestBus(nats: Pick<TestNats, "url" | "token">, name: string): Promise<Bus> {
  return Bus.connect({
    url: nats.url,
    token: nats.token,
    name,
    version: "0.0.0",
    log: createLogger(name, "silent"),
  });
}

/**
 * A stand-in for one node without services: real nats-server, the supervisor's identity and
 * network endpoints, data dir, env.
 */
export async function startTestNode(
  role: Role = "full",
  extraEnv: NodeJS.ProcessEnv = {},
  opts: TestNodeOptions = {},
): Promise<TestNode> {
  const nats = await startTestNats();
  const nodeId = randomBytes(32).toString("hex");
  const dataDir = mkdtempSync(join(tmpdir(), "p2pnode-test-"));
  const genesis = opts.genesis ?? testGenesis();
  const network = networkOf(genesis);
  const genesisFile = join(dataDir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(genesis));
  const supervisorBus = await connectTestBus(nats, "supervisor");
  await supervisorBus.serve(NodeSubjects.identityGet, () => ({
    nodeId,
    publicKey: randomBytes(32).toString("hex"),
    role,
    version: "0.0.0",
    startedAt: Date.now(),
  }));
  await supervisorBus.serve(NodeSubjects.networkGet, () => network);
  const env: NodeJS.ProcessEnv = {
    P2PNODE_DATA_DIR: dataDir,
    P2PNODE_ROLE: role,
    P2PNODE_GENESIS: genesisFile,
    P2PNODE_NATS_URL: nats.url,
    P2PNODE_NATS_TOKEN: nats.token,
    P2PNODE_LOG_LEVEL: "silent",
    P2PNODE_API_TOKEN: "test-admin-token-0123456789",
    ...extraEnv,
  };
  return {
    nats,
    nodeId,
    dataDir,
    env,
    network,
    supervisorBus,
    stop: async () => {
      await supervisorBus.close();
      await nats.stop();
    },
  };
}

/** Starts one service of a test node on a free port. */
export async function startTestService(
  def: ServiceDefinition,
  node: TestNode,
  env: NodeJS.ProcessEnv = {},
  opts: StartOptions = {},
): Promise<RunningService> {
  const port = await freePort();
  const listener = {
    gateway: "P2PNODE_GATEWAY_PORT",
    chain: "P2PNODE_CHAIN_PORT",
    miner: "P2PNODE_MINER_PORT",
    dht: "P2PNODE_DHT_PORT",
    zkp: "P2PNODE_ZKP_PORT",
    compute: "P2PNODE_COMPUTE_PORT",
  }[def.name];
  return startService(def, { ...node.env, [listener]: String(port), ...env }, opts);
}

/**
 * Polls until `cond` holds; for tests that wait on asynchronous effects (no wall-clock assertion).
 * The default gives up after 1,200 polls (a minute at 50 ms): a hang guard sized for a loaded
 * 2-core machine, where a flood of 3,000 frames took longer than the former 10 s to be cut off.
 */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  check: (v: T) => boolean,
  tries = 1_200,
  stepMs = 50,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    try {
      last = await fn();
      if (check(last)) return last;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new TypeError(`condition not met after ${tries} tries; last value: ${JSON.stringify(last)}`);
}

/**
 * Waits until `url` answers 200, for a service started as a child process. There is no try count:
 * on a loaded machine a start takes what it takes (a chain loads its verify threads, a cold module
 * cache), and vitest's timeout is the hang guard. A child that exits first fails the wait at once,
 * naming its exit code or signal.
 */
export async function untilReady(url: string, child: ChildProcess, stepMs = 50): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TypeError(
        `${url}: the process exited (${child.exitCode ?? child.signalCode}) before it was ready`,
      );
    }
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
