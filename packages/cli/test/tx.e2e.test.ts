import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Devnet, freePortBase, serviceUrls, waitUntil } from "@p2pnode/devnet";
import { ChainClient } from "@p2pnode/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A one-node devnet (a real supervisor, NATS, chain and miner) driven through the CLI, as a user would.
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const dir = mkdtempSync(join(tmpdir(), "p2pnode-tx-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let chain: ChainClient;

function p2pnode(...args: string[]) {
  return p2pnodeWithInput(undefined, ...args);
}
function p2pnodeWithInput(input: string | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    input,
    env: { PATH: process.env.PATH, P2PNODE_DEVNET_DIR: dir },
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  const state = await devnet.up({
    nodes: 1,
    miners: 1,
    portBase: await freePortBase(1),
  });
  chain = new ChainClient(serviceUrls(state.nodes[0]!).chain!);
}, 120_000);
afterAll(() => devnet.down({ wipe: true }), 60_000);

describe("one-node network through the CLI", () => {
  it("mines blocks", async () => {
    expect(await waitUntil(async () => (await chain.tip()).height >= 3, 60_000, 250)).toBe(true);
    const shown = p2pnode("chain", "show", "--limit", "3");
    expect(shown.status).toBe(0);
    expect(shown.out.split("\n")[0]).toMatch(/^height\s+hash\s+txs\s+miner\s+time$/);
    expect(shown.out.split("\n").filter((l) => /^[0-9]+\s/.test(l))).toHaveLength(3);
  });

  it("sends a transaction that is mined, moving balances and nonces exactly", async () => {
    const faucet = join(dir, "faucet.json");
    const bobWallet = join(dir, "bob.json");
    expect(p2pnode("wallet", "--wallet", bobWallet, "new").status).toBe(0);
    const bob = /address:\s+([0-9a-f]{40})/.exec(p2pnode("wallet", "--wallet", bobWallet, "show").out)![1]!;
    const faucetAddr = /address:\s+([0-9a-f]{40})/.exec(
      p2pnode("wallet", "--wallet", faucet, "show").out,
    )![1]!;
    const before = await chain.account(faucetAddr);

    const sent = p2pnode(
      "tx",
      "send",
      "--wallet",
      faucet,
      "--to",
      bob,
      "--amount",
      "12.5",
      "--fee",
      "0.001",
      "--wait",
    );
    expect(sent.err).toBe("");
    expect(sent.status).toBe(0);
    const id = /submitted ([0-9a-f]{64})/.exec(sent.out)![1]!;
    const status = await chain.tx(id);
    expect(status.status).toBe("mined");

    const after = await chain.account(faucetAddr);
    expect((await chain.account(bob)).balance).toBe("1250000000");
    expect(BigInt(before.balance) - BigInt(after.balance)).toBe(1_250_000_000n + 100_000n);
    expect(after.nonce).toBe(before.nonce + 1);

    // The same nonce again is a replay: refused with its reason, nothing changes.
    const replay = p2pnode(
      "tx",
      "send",
      "--wallet",
      faucet,
      "--to",
      bob,
      "--amount",
      "1",
      "--nonce",
      String(before.nonce),
    );
    expect(replay.status).toBe(1);
    expect(replay.err).toMatch(/nonce/);
    expect((await chain.account(bob)).balance).toBe("1250000000");
  }, 90_000);

  it("signs offline with --nonce and --chain-id, and submits the hex as raw bytes", async () => {
    const faucet = join(dir, "faucet.json");
    const carol = "c0".repeat(20);
    const faucetAddr = /address:\s+([0-9a-f]{40})/.exec(
      p2pnode("wallet", "--wallet", faucet, "show").out,
    )![1]!;
    const [before, tip] = await Promise.all([chain.account(faucetAddr), chain.tip()]);
    // --node names a port nothing listens on: signing must not need the node.
    const signed = p2pnode(
      "tx",
      "sign",
      "--wallet",
      faucet,
      "--to",
      carol,
      "--amount",
      "3u",
      "--fee",
      "0.001",
      "--nonce",
      String(before.pendingNonce),
      "--chain-id",
      tip.chainId,
      "--node",
      "http://127.0.0.1:1",
    );
    expect(signed.status).toBe(0);
    const hex = signed.out.trim();
    expect(hex).toMatch(/^[0-9a-f]+$/);
    const id = createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
    expect(signed.err).toContain(`signed ${id} (nonce ${before.pendingNonce}, chain ${tip.chainId})`);

    // A corrupted copy is refused here with the decoder's reason; the node sees nothing.
    const cut = p2pnode("tx", "submit", hex.slice(0, -2));
    expect(cut.status).toBe(1);
    expect(cut.err).toMatch(/signed transaction/);
    expect((await chain.account(faucetAddr)).pendingTxs).toBe(before.pendingTxs);

    // Through stdin, as `tx sign ... | p2pnode tx submit -` passes it.
    const sent = p2pnodeWithInput(`${hex}\n`, "tx", "submit", "-", "--wait");
    expect(sent.err).toBe("");
    expect(sent.status).toBe(0);
    expect(sent.out).toContain(`submitted ${id}`);
    expect((await chain.tx(id)).status).toBe("mined");
    expect((await chain.account(carol)).balance).toBe("3");
    expect((await chain.account(faucetAddr)).nonce).toBe(before.pendingNonce + 1);

    // The same bytes again: the nonce is spent, the node's refusal is shown.
    const again = p2pnode("tx", "submit", hex);
    expect(again.status).toBe(1);
    expect(again.err).toMatch(/nonce [0-9]+ already used/);
  }, 90_000);

  it("shows an empty mempool once everything is mined, and refuses bad arguments", () => {
    expect(p2pnode("mempool").out).toMatch(/^[0-9]+ pending/);
    const bad = p2pnode("tx", "send", "--to", "nothex", "--amount", "1");
    expect(bad.status).toBe(1);
    expect(bad.err).toMatch(/--to: expected a 40-character/);
  });
});
