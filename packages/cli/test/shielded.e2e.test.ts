import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { P2P_MESSAGE_CODES, type ShieldedTransferTx, type SignedTransaction } from "@p2pnode/codec";
import { addressHexOf, readWallet } from "@p2pnode/crypto";
import { Devnet, type DevnetNode, freePortBase, nodePorts, serviceUrls, waitUntil } from "@p2pnode/devnet";
import { ChainClient } from "@p2pnode/sdk";
import { addressOf, digestToBytes, encodeAddress, type SpendingKey } from "@p2pnode/shielded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpendingKey } from "../src/shielded/wallet.js";
import { captureNats, type NatsCapture, type RecordingProxy, recordingProxy } from "./helpers/capture.js";
import { amountSecret, LeakScan, partySecret, type Secret } from "./helpers/leaks.js";
import { ProtocolPeer } from "./helpers/p2p-peer.js";
import {
  altered,
  bytesOf,
  flipProofByte,
  idOf,
  jsonOf,
  keyBytes,
  type ProvedTwice,
  proveTransferTwice,
} from "./helpers/spend.js";

/*
 * Shielded transactions on a 5-node devnet (one miner), driven through the CLI as a user would:
 * shield from the faucet, a private payment between two shielded keys, an unshield to an
 * account. On every node: the pool and the balances are exact and accounts + pool grows only by
 * block rewards. The private payment is watched from outside — a protocol-level peer on every
 * node, every NATS message on every node's bus, every REST exchange of the CLI — and none of it
 * holds the parties or the amounts. Forged copies of a spend are refused by every node, over
 * REST and over the P2P protocol, with their typed reason.
 */
const NODES = 5;
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const REWARD = 5_000_000_000n;
const FEE = 1000n;
// Amounts of ≥ 2^24 units: no zero high byte, so their 4-byte forms do not occur by accident.
const SHIELD = 500_000_000n;
const PAY = 217_384_619n;
const CHANGE = SHIELD - PAY - FEE; // 282,614,381
const EXTRA = 1_000_000n; // the test's own transfer, a → b, after its forged copies
const UNSHIELD = 100_000_000n;
const SHIELD_FEE = 10_000n; // the CLI's default 0.0001

const dir = mkdtempSync(join(tmpdir(), "p2pnode-shielded-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let nodes: DevnetNode[] = [];
let urls: { chain: string; zkp: string; gateway: string }[] = [];
let peers: ProtocolPeer[] = [];
let buses: NatsCapture[] = [];
const proxies: RecordingProxy[] = [];
const [ka, kb] = [join(dir, "a.json"), join(dir, "b.json")];
let skA: SpendingKey;
let skB: SpendingKey;
let startSupply: bigint[] = [];
let passed = 0;

const cliEnv = () => ({ PATH: process.env.PATH, P2PNODE_DEVNET_DIR: dir });
function p2pnode(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: cliEnv(),
    timeout: 600_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
/** The CLI without blocking this process (whose recording proxies must answer it meanwhile). */
function p2pnodeAsync(...args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv() });
  let [out, err] = ["", ""];
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, out, err })));
}

/** GET a JSON body; one retry when the connection drops (a kept-alive socket closed under us). */
async function get(url: string): Promise<Record<string, unknown>> {
  const once = async () => (await fetch(url)).json() as Promise<Record<string, unknown>>;
  return once().catch(once);
}
const pools = () => Promise.all(urls.map(async (u) => String((await get(`${u.chain}/shielded`)).pool)));
const poolsAre = (v: bigint) =>
  waitUntil(async () => (await pools()).every((p) => p === v.toString()), 120_000, 250);

/** Accounts + pool − rewards on one node, read at one tip: constant if no value is made or lost. */
async function conserved(chainUrl: string): Promise<bigint> {
  for (;;) {
    const [d, s] = await Promise.all([get(`${chainUrl}/state/digest`), get(`${chainUrl}/shielded`)]);
    if (d.tipHash !== s.tipHash) {
      await new Promise((r) => setTimeout(r, 100)); // a block arrived between the two reads
      continue;
    }
    return BigInt(d.supply as string) + BigInt(s.pool as string) - REWARD * BigInt(d.height as number);
  }
}
const supplies = () => Promise.all(urls.map((u) => conserved(u.chain)));
const balanceOn = async (chainUrl: string, address: string) =>
  BigInt((await new ChainClient(chainUrl).account(address)).balance);

async function post(chainUrl: string, stx: SignedTransaction): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${chainUrl}/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(jsonOf(stx)),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}

beforeAll(async () => {
  const state = await devnet.up({
    nodes: NODES,
    miners: 1,
    portBase: await freePortBase(NODES),
  });
  nodes = state.nodes;
  urls = nodes.map((n) => {
    const s = serviceUrls(n);
    return { chain: s.chain!, zkp: s.zkp!, gateway: s.gateway! };
  });
}, 300_000);
afterAll(async () => {
  for (const p of peers) p.close();
  await Promise.all([...buses.map((b) => b.close()), ...proxies.map((p) => p.close())]);
  // A failed run keeps the nodes' logs for a look.
  await devnet.down({ wipe: passed === 4 });
  if (passed !== 4) console.info(`devnet kept at ${dir}`);
}, 120_000);

describe(`shielded transactions on a ${NODES}-node devnet`, () => {
  let payId = "";
  const watchedPayloads: { where: string; bytes: Uint8Array | string }[] = [];

  it("shield → private payment (watched) → balances right and supply conserved on every node", async () => {
    const chain = new ChainClient(urls[0]!.chain);
    expect(await waitUntil(async () => (await chain.tip()).height >= 2, 120_000, 250)).toBe(true);
    startSupply = await supplies();
    const zsB = p2pnode("shielded", "--key", kb, "address").out.trim();
    expect(zsB).toMatch(/^zs[0-9a-f]+$/);
    const faucet = addressHexOf(readWallet(join(dir, "faucet.json")).key.publicKey);
    const faucetBefore = await balanceOn(urls[0]!.chain, faucet);

    const shield = p2pnode(
      "shielded",
      "--key",
      ka,
      "shield",
      "--wallet",
      join(dir, "faucet.json"),
      "--amount",
      `${SHIELD}u`,
    );
    expect(shield.err).toMatch(/proving: .*\d+\/10|proved in/);
    expect(shield.status, shield.err).toBe(0);
    expect(await poolsAre(SHIELD)).toBe(true);
    for (const u of urls) expect(await balanceOn(u.chain, faucet)).toBe(faucetBefore - SHIELD - SHIELD_FEE);
    [skA, skB] = [loadSpendingKey(ka, false), loadSpendingKey(kb, false)];

    // Watch the payment from outside: a protocol peer and a `>` subscription on every node, and
    // the CLI's REST calls through recording proxies.
    const info = await get(`${urls[0]!.chain}/info`);
    const network = { chainId: info.chainId as string, genesisHash: info.genesisHash as string };
    peers = await Promise.all(nodes.map((n) => ProtocolPeer.connect(nodePorts(n).p2p, network)));
    buses = await Promise.all(nodes.map(captureNats));
    const [chainProxy, zkpProxy] = [await recordingProxy(urls[0]!.chain), await recordingProxy(urls[0]!.zkp)];
    proxies.push(chainProxy, zkpProxy);
    const since = { frames: peers.map((p) => p.plaintexts.length), bus: buses.map((b) => b.messages.length) };

    const send = await p2pnodeAsync(
      "shielded",
      "--key",
      ka,
      "--node",
      chainProxy.url,
      "--zkp",
      zkpProxy.url,
      "send",
      "--to",
      zsB,
      "--amount",
      `${PAY}u`,
      "--fee",
      `${FEE}u`,
    );
    expect(send.status, send.err).toBe(0);
    payId = /submitted ([0-9a-f]{64})/.exec(send.out)![1]!;
    expect(await poolsAre(SHIELD - FEE)).toBe(true);
    // Every peer has been sent the block that mined the payment (its proof is in a frame).
    const mined = await chain.tx(payId);
    const proofHead = Buffer.from((mined.tx.tx as { proof: string }).proof.slice(0, 64), "hex");
    const isBlock = (f: Uint8Array) => f[0] === P2P_MESSAGE_CODES.block;
    expect(
      await waitUntil(
        async () =>
          peers.every((p) => p.plaintexts.some((f) => isBlock(f) && Buffer.from(f).indexOf(proofHead) >= 0)),
        60_000,
        250,
      ),
    ).toBe(true);
    expect(p2pnode("shielded", "--key", ka, "balance").out).toMatch(
      /shielded balance: 2\.82614381 in 1 notes/,
    );
    expect(p2pnode("shielded", "--key", kb, "balance").out).toMatch(
      /shielded balance: 2\.17384619 in 1 notes/,
    );
    for (const u of urls) expect(await balanceOn(u.chain, faucet)).toBe(faucetBefore - SHIELD - SHIELD_FEE);
    expect(await supplies()).toEqual(startSupply);

    // Everything a node shows of the payment to anyone who asks.
    for (const [i, u] of urls.entries()) {
      for (const path of [`/txs/${payId}`, `/blocks/${mined.block!.hash}`, "/mempool", "/shielded"])
        watchedPayloads.push({
          where: `node${i} GET ${path}`,
          bytes: await (await fetch(`${u.chain}${path}`)).text(),
        });
    }
    for (const [i, p] of peers.entries())
      for (const [j, f] of p.plaintexts.slice(since.frames[i]).entries())
        watchedPayloads.push({ where: `node${i} P2P frame ${j} (type ${f[0]})`, bytes: f });
    for (const [i, b] of buses.entries())
      for (const m of b.messages.slice(since.bus[i]))
        watchedPayloads.push({ where: `node${i} NATS ${m.subject}`, bytes: m.data });
    for (const p of proxies)
      for (const x of p.exchanges) {
        // The witness goes to the wallet's own node's prover: the one place it must be.
        if (!(x.method === "POST" && x.path === "/spends"))
          watchedPayloads.push({ where: `CLI ${x.method} ${x.path} request`, bytes: x.request });
        watchedPayloads.push({ where: `CLI ${x.method} ${x.path} response`, bytes: x.response });
      }
    passed++;
  }, 900_000);

  it("privacy: no frame, NATS message or REST payload of the payment holds sender, recipient or amount", () => {
    const secrets: Secret[] = [
      partySecret(
        "sender",
        encodeAddress(addressOf(skA)),
        [digestToBytes(addressOf(skA).pk), addressOf(skA).encryptionKey, keyBytes(skA)],
        [addressOf(skA).pk, skA],
      ),
      partySecret(
        "recipient",
        encodeAddress(addressOf(skB)),
        [digestToBytes(addressOf(skB).pk), addressOf(skB).encryptionKey, keyBytes(skB)],
        [addressOf(skB).pk, skB],
      ),
      amountSecret("amount paid", PAY),
      amountSecret("change", CHANGE),
    ];
    const scan = new LeakScan(secrets);
    for (const p of watchedPayloads) scan.scan(p.bytes, p.where);
    const kinds = (prefix: string) => watchedPayloads.filter((p) => p.where.includes(prefix)).length;
    // The capture saw the payment on every path: frames on every node, NATS traffic, the CLI's calls.
    expect(kinds("P2P frame")).toBeGreaterThanOrEqual(2 * NODES);
    expect(kinds("NATS")).toBeGreaterThan(0);
    expect(kinds("CLI POST /txs")).toBe(2);
    expect(scan.leaks).toEqual([]);
    // The same scan finds them where they are: the witness sent to the wallet's own prover.
    const witness = proxies[1]!.exchanges.find((x) => x.method === "POST" && x.path === "/spends")!.request;
    const control = new LeakScan(secrets);
    control.scan(witness, "witness");
    // (its keys and notes as JSON lists of field elements, its values as decimal strings)
    expect(control.leaks.map((l) => l.split(": ")[1]).sort()).toEqual([
      "amount paid as text",
      "change as text",
      "recipient as text",
      "sender as text",
    ]);
    console.info(`privacy scan: ${scan.payloads} payloads, ${scan.bytesScanned} distinct bytes`);
    passed++;
  });

  it("forged copies of a spend are refused with BAD_PROOF by every node, over REST and P2P; the honest one is mined", async () => {
    const proved: ProvedTwice = await proveTransferTwice(urls[0]!.chain, urls[0]!.zkp, skA, skB, EXTRA, FEE);
    const [honest, other] = proved.txs;
    // Two proofs of the same spend differ, and both verify.
    expect(
      Buffer.from((honest.tx as ShieldedTransferTx).proof).equals(
        Buffer.from((other.tx as ShieldedTransferTx).proof),
      ),
    ).toBe(false);
    expect(proved.bothVerify).toBe(true);
    const spent = (honest.tx as ShieldedTransferTx).nullifiers;
    const forged = [
      flipProofByte(other),
      altered(other, { nullifiers: [(honest.tx as ShieldedTransferTx).commitments[0], spent[1]] }),
      altered(other, { fee: FEE - 1n }),
    ];
    for (const [i, n] of nodes.entries()) {
      for (const bad of forged) {
        // Over the P2P protocol: the node's gateway hands it to its chain, which refuses it and
        // the gateway records why against the sending peer.
        peers[i]!.send({ type: "tx", tx: bytesOf(bad) });
        const id = idOf(bad);
        const reason = `tx ${id.slice(0, 16)}: BAD_PROOF`;
        const seen = await waitUntil(
          async () => {
            const s = await get(`${urls[i]!.gateway}/peers/${peers[i]!.nodeIdHex}/score`);
            return ((s.events as { detail?: string }[] | undefined) ?? []).some((e) => e.detail === reason);
          },
          60_000,
          200,
        );
        expect(seen, `${n.name} over P2P`).toBe(true);
        // Over REST, with the reason in the answer.
        expect(await post(urls[i]!.chain, bad), `${n.name} over REST`).toEqual({
          status: 400,
          code: "BAD_PROOF",
        });
      }
    }
    for (const u of urls)
      for (const bad of forged) expect((await fetch(`${u.chain}/txs/${idOf(bad)}`)).status).toBe(404);
    // The honest spend is mined, through node 3.
    expect((await post(urls[3]!.chain, honest)).status).toBe(202);
    expect(await poolsAre(SHIELD - 2n * FEE)).toBe(true);
    for (const u of urls) expect((await fetch(`${u.chain}/txs/${idOf(honest)}`)).status).toBe(200);
    passed++;
  }, 900_000);

  it("unshield → an account: balances exact on every node, supply conserved, replays refused everywhere", async () => {
    const bob = "b0".repeat(20);
    const unshield = p2pnode(
      "shielded",
      "--key",
      kb,
      "unshield",
      "--to",
      bob,
      "--amount",
      `${UNSHIELD}u`,
      "--fee",
      `${FEE}u`,
    );
    expect(unshield.status, unshield.err).toBe(0);
    const pool = SHIELD - 3n * FEE - UNSHIELD;
    expect(await poolsAre(pool)).toBe(true);
    for (const u of urls) expect(await balanceOn(u.chain, bob)).toBe(UNSHIELD);
    expect(p2pnode("shielded", "--key", ka, "balance").out).toMatch(
      /shielded balance: 2\.81613381 in 1 notes/,
    );
    expect(p2pnode("shielded", "--key", kb, "balance").out).toMatch(
      /shielded balance: 1\.18383619 in 2 notes/,
    );
    expect(await supplies()).toEqual(startSupply);

    // The unshield replayed as mined, and with its proof tampered: its nullifiers are spent, so
    // every node refuses both with NULLIFIER_SPENT (the state rules run before the proof check).
    const id = /submitted ([0-9a-f]{64})/.exec(unshield.out)![1]!;
    const mined = (await new ChainClient(urls[0]!.chain).tx(id)).tx as { tx: { proof: string } };
    const p = mined.tx.proof;
    const replayed = { ...mined, id: undefined };
    const bad = {
      ...mined,
      id: undefined,
      tx: { ...mined.tx, proof: `${p.slice(0, 300)}${p[300] === "a" ? "b" : "a"}${p.slice(301)}` },
    };
    for (const u of urls) {
      for (const body of [replayed, bad]) {
        const res = await fetch(`${u.chain}/txs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NULLIFIER_SPENT");
      }
    }
    passed++;
  }, 900_000);
});
