import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readWallet, signTransaction } from "@p2pnode/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { getJson, reportFailures, tipOf } from "./e2e-helpers.js";

// A light node (headers only) next to a miner and a full node: it follows the tip by headers,
// sends a transfer through its gateway, and sees it mined only through a Merkle proof from a full
// peer that it checks against its own headers. Forged proofs are rejected in
// services/chain/test/light.test.ts (the check is the same function).
const dir = mkdtempSync(join(tmpdir(), "p2pnode-light-e2e-"));
// Ports ending in 30 stay clear of the other e2e devnets.

const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const tip = tipOf;

beforeAll(async () => {
  state = await devnet.up({
    nodes: 3,
    miners: 1,
    light: 1,
    portBase: await freePortBase(3),
    readyTimeoutMs: 200_000,
    // Blocks every ~0.1 s: enough to see the light node follow without waiting on real PoW.
    consensus: { initialTarget: `0${"f".repeat(63)}`, retargetWindow: 100_000 },
  });
}, 240_000);
afterAll(() => devnet.down({ wipe: true }).catch(() => undefined), 60_000);

describe("light node", () => {
  it("follows the tip by headers, broadcasts its own tx and verifies its inclusion proof", async () => {
    const [miner, full, light] = state.nodes as [DevnetNode, DevnetNode, DevnetNode];
    expect(light.role).toBe("light");
    expect(await waitUntil(async () => ((await tip(light))?.height ?? 0) >= 5, 120_000, 250)).toBe(true);

    const faucet = readWallet(devnet.faucetFile).key;
    const account = await getJson<{ balance: string; pendingNonce: number }>(
      `${serviceUrls(light).chain}/accounts/${hex(faucet.address)}`,
    );
    const onFull = await getJson<{ balance: string; nonce: number }>(
      `${serviceUrls(full).chain}/accounts/${hex(faucet.address)}`,
    );
    expect(account.balance).toBe(onFull.balance);

    const to = new Uint8Array(20).fill(0xd1);
    const tx = {
      kind: "transfer" as const,
      from: faucet.publicKey,
      to,
      amount: 4_200n,
      fee: 100_000n,
      nonce: account.pendingNonce,
      memo: new Uint8Array(0),
    };
    const stx = signTransaction(tx, state.chainId, faucet);
    const res = await fetch(`${serviceUrls(light).chain}/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        tx: {
          kind: "transfer",
          from: hex(tx.from),
          to: hex(to),
          amount: "4200",
          fee: "100000",
          nonce: tx.nonce,
          memo: "",
        },
        signature: hex(stx.signature),
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const mined = await waitUntil(
      async () =>
        (await getJson<{ status: string }>(`${serviceUrls(light).chain}/txs/${id}`).catch(() => undefined))
          ?.status === "mined",
      120_000,
      500,
    );
    expect(mined).toBe(true);
    const s = await getJson<{ block: { hash: string; height: number }; proof: { root: string } }>(
      `${serviceUrls(light).chain}/txs/${id}`,
    );
    const block = await getJson<{ hash: string; header: { txRoot: string } }>(
      `${serviceUrls(miner).chain}/blocks/${s.block.height}`,
    );
    expect(s.block.hash).toBe(block.hash);
    expect(s.proof.root).toBe(block.header.txRoot);
    const received = await getJson<{ balance: string }>(`${serviceUrls(light).chain}/accounts/${hex(to)}`);
    expect(received.balance).toBe("4200");
  }, 300_000);

  it("serves the CLI the same way: chain show, account and tx send --wait against the light node", async () => {
    const light = state.nodes[2]!;
    const cli = resolve(import.meta.dirname, "../../cli/dist/main.js");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [cli, ...args, "--node", serviceUrls(light).chain!], {
        encoding: "utf8",
        env: { PATH: process.env.PATH },
        timeout: 120_000,
      });
    const shown = run("chain", "show", "--limit", "3");
    expect(shown.stderr).toBe("");
    expect(shown.stdout.split("\n").filter((l) => /^[0-9]+\s/.test(l))).toHaveLength(3);
    const to = "ab".repeat(20);
    const sent = run(
      "tx",
      "send",
      "--wallet",
      devnet.faucetFile,
      "--to",
      to,
      "--amount",
      "1u",
      "--fee",
      "1u",
      "--wait",
    );
    expect(sent.stderr).toBe("");
    expect(sent.stdout).toMatch(/submitted [0-9a-f]{64}[\s\S]*mined in block [0-9]+/);
    const account = run("account", to);
    expect(account.stdout).toMatch(/balance:\s+0\.00000001/);
  }, 180_000);
});
