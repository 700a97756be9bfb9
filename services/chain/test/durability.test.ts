import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { encodeBlock } from "@p2pnode/codec";
import { Bus, createLogger } from "@p2pnode/kit";
import { freePort, startTestNode, type TestNode, untilReady } from "@p2pnode/kit/testing";
import { BlockPage, ChainSubjects, ChainValidationReport } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alice, bob, carol, makeBlock, minerA, openChain, testGenesis, transfer } from "./helpers.js";

/*
 * Durability: the chain service runs as a real process (dist/bundle.js, as the supervisor runs it),
 * blocks arrive over NATS, and it is SIGKILLed while they do. After a restart its store must be
 * consistent (POST /validate: tip, main-chain index, tx index and state agree with a replay from
 * genesis) and every block whose submit was acknowledged must be on its chain. The account
 * writes of the blocks above the last flush die with the process (they wait in memory): the
 * restart replays them from the stored blocks, or /validate finds the accounts table behind.
 */

const MAIN = new URL("../dist/bundle.js", import.meta.url).pathname;
const BLOCKS = 60;
const genesis = testGenesis();
let node: TestNode;
let client: Bus;
let env: NodeJS.ProcessEnv;
let port: number;
let child: ChildProcess | undefined;

/** Blocks 1..BLOCKS with transfers, made by an in-process chain on the same genesis. */
/** The blocks as their codec bytes, as block.submit carries them. */
function makeBlocks(): Uint8Array[] {
  const local = openChain(genesis);
  const out: Uint8Array[] = [];
  const people = [alice, bob, carol];
  for (let h = 1; h <= BLOCKS; h++) {
    const from = people[h % 2]!;
    const nonce = local.store.account(from.address)?.nonce ?? 0;
    const txs = [transfer(from, people[(h + 1) % 3]!, BigInt(h), nonce, 3n)];
    const block = makeBlock(local, { txs, miner: minerA });
    local.submitBlock(block);
    out.push(encodeBlock(block));
  }
  local.store.close();
  return out;
}

async function startChain(): Promise<void> {
  child = spawn(process.execPath, [MAIN], { env, stdio: "ignore" });
  await untilReady(`http://127.0.0.1:${port}/ready`, child);
}

async function kill(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once("exit", r));
  c.kill("SIGKILL");
  await gone;
}

const rest = async (path: string, init?: RequestInit) =>
  (await fetch(`http://127.0.0.1:${port}${path}`, init)).json();

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new TypeError(`build the chain first: ${MAIN} is missing`);
  node = await startTestNode("full", {}, { genesis });
  port = await freePort();
  env = { ...node.env, P2PNODE_CHAIN_PORT: String(port) };
  client = await Bus.connect({
    url: node.nats.url,
    token: node.nats.token,
    name: "durability-test",
    version: "0.0.0",
    log: createLogger("test", "silent"),
  });
});
afterAll(async () => {
  await kill();
  await client?.close();
  await node?.stop();
});

describe("chain service durability", () => {
  it("keeps every acknowledged block and a consistent store across SIGKILLs mid-stream", async () => {
    const blocks = makeBlocks();
    const acked = new Set<string>();
    let next = 0;
    for (const killAt of [6, 9, 4]) {
      await startChain();
      next = (await client.request(ChainSubjects.tipGet, {})).height; // resume after what survived
      // A burst of submits in flight; SIGKILL lands when the killAt-th of them is acknowledged.
      let ackedNow = 0;
      let dead: () => void = () => undefined;
      const killed = new Promise<void>((resolve) => {
        dead = resolve;
      });
      const burst = blocks.slice(next, next + 16).map((block) =>
        client
          .request(ChainSubjects.blockSubmit, { block, source: "peer" }, 10_000)
          .then((v) => {
            acked.add(v.hash);
            if (++ackedNow === killAt) void kill().then(dead);
          })
          .catch(() => undefined),
      );
      // Once the service is dead, the requests it did not answer never will be: a reply it wrote
      // before dying is in the server's socket buffer by then (loopback), and one round trip to
      // the server brings it; the rest would only run out their 10 s timeouts.
      await Promise.race([Promise.all(burst), killed.then(() => client.nc.flush())]);
      await kill();
    }
    await startChain();
    const report = ChainValidationReport.parse(await rest("/validate", { method: "POST" }));
    expect(report).toMatchObject({ ok: true, firstBadHeight: null });
    const page = BlockPage.parse(await rest(`/blocks?from=1&limit=100`));
    const onChain = new Set(page.blocks.map((b) => b.hash));
    for (const hash of acked) expect(onChain.has(hash), hash).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(6 + 9 + 4);

    // The restarted node keeps going: feed the rest and the chain ends at BLOCKS, still valid.
    for (let h = report.tipHeight; h < BLOCKS; h++) {
      await client.request(ChainSubjects.blockSubmit, { block: blocks[h]!, source: "peer" });
    }
    const end = ChainValidationReport.parse(await rest("/validate", { method: "POST" }));
    expect(end).toMatchObject({ ok: true, tipHeight: BLOCKS, txs: BLOCKS });
  });
});
