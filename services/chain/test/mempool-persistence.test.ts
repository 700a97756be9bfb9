import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { encodeSignedTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { Bus, createLogger } from "@p2pnode/kit";
import { eventually, freePort, startTestNode, type TestNode } from "@p2pnode/kit/testing";
import { ChainDeliverySubjects, ChainSubjects } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alice, bob, carol, makeBlock, minerA, openChain, testGenesis, tmpDir, transfer } from "./helpers.js";

/*
 * The mempool survives a restart (like Bitcoin Core's mempool.dat): each accepted tx is committed to
 * the chain's SQLite file before it is acknowledged, and the pool is revalidated on load.
 */

describe("mempool persistence (in process)", () => {
  it("reloads pending txs with their arrival time, without those a block mined meanwhile", () => {
    const genesis = testGenesis();
    const dir = tmpDir();
    const first = openChain(genesis, {}, dir);
    const a0 = first.submitTx(transfer(alice, bob, 10n, 0));
    const a1 = first.submitTx(transfer(alice, bob, 10n, 1));
    const b0 = first.submitTx(transfer(bob, carol, 10n, 0));
    first.submitBlock(makeBlock(first, { txs: [a0.stx], miner: minerA }));
    // No close(): the process "dies" here; a second chain opens the same file.
    const second = openChain(genesis, {}, dir);
    expect(second.mempool.inventory(Date.now()).sort()).toEqual([a1.idHex, b0.idHex].sort());
    expect(second.mempool.get(a1.idHex)?.receivedAt).toBe(a1.receivedAt);
    expect(second.tip().height).toBe(1);
  });

  it("revalidates on load: a tx no longer covered by its sender's balance is dropped from disk too", () => {
    const genesis = testGenesis();
    const dir = tmpDir();
    const first = openChain(genesis, {}, dir);
    const spend = first.submitTx(transfer(bob, carol, 400_000n, 0));
    // Another node mined a different tx of bob's nonce 0 that empties his balance.
    const other = openChain(genesis);
    const rival = transfer(bob, alice, 490_000n, 0, 11n);
    const block = makeBlock(other, { txs: [rival], miner: minerA });
    first.submitBlock(block);
    expect(first.mempool.has(spend.idHex)).toBe(false);
    const again = openChain(genesis, {}, dir);
    expect(again.mempool.size).toBe(0);
    expect(again.store.db.prepare("SELECT count(*) FROM mempool").pluck().get()).toBe(0);
  });

  it("drops a replaced tx from disk and keeps its replacement", () => {
    const genesis = testGenesis();
    const dir = tmpDir();
    const first = openChain(genesis, {}, dir);
    first.submitTx(transfer(alice, bob, 10n, 0, 10n));
    const better = first.submitTx(transfer(alice, bob, 10n, 0, 20n));
    const again = openChain(genesis, {}, dir);
    expect(again.mempool.inventory(Date.now())).toEqual([better.idHex]);
    expect(again.store.db.prepare("SELECT count(*) FROM mempool").pluck().get()).toBe(1);
  });
});

const MAIN = new URL("../dist/bundle.js", import.meta.url).pathname;

describe("mempool persistence (chain service SIGKILLed)", () => {
  const genesis = testGenesis();
  let node: TestNode;
  let client: Bus;
  let port: number;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(process.execPath, [MAIN], {
      env: { ...node.env, P2PNODE_CHAIN_PORT: String(port) },
      stdio: "ignore",
    });
    await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.status,
          () => 0,
        ),
      (s) => s === 200,
      400,
      50,
    );
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await gone;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new TypeError(`build the chain first: ${MAIN} is missing`);
    node = await startTestNode("full", {}, { genesis });
    port = await freePort();
    client = await Bus.connect({
      url: node.nats.url,
      token: node.nats.token,
      name: "mempool-test",
      version: "0.0.0",
      log: createLogger("test", "silent"),
    });
  });
  afterAll(async () => {
    await kill();
    await client?.close();
    await node?.stop();
  });

  it("keeps every acknowledged tx (REST 202 or NATS reply) when SIGKILLed mid-stream", async () => {
    await start();
    const acked = new Set<string>();
    let rawAcked = 0;
    let killing: Promise<void> | undefined;
    const ack = (id: string) => {
      acked.add(id);
      if (acked.size === 12) killing = kill();
    };
    // REST as JSON (POST /txs) or as the codec bytes (POST /txs/raw): both answer 202 only once kept.
    const rest = (tx: Parameters<typeof encodeSignedTransaction>[0], raw: boolean) =>
      fetch(`http://127.0.0.1:${port}/txs${raw ? "/raw" : ""}`, {
        method: "POST",
        headers: { "content-type": raw ? "application/octet-stream" : "application/json" },
        body: raw ? encodeSignedTransaction(tx) : JSON.stringify(signedTransactionToJson(tx)),
      }).then(async (r) => {
        if (r.status !== 202) return;
        if (raw) rawAcked++;
        ack(((await r.json()) as { id: string }).id);
      });
    const nats = (tx: Parameters<typeof encodeSignedTransaction>[0]) =>
      client
        .request(ChainSubjects.txSubmit, { tx: encodeSignedTransaction(tx) }, 3_000)
        .then((r) => ack(r.id));
    // Alice over REST (JSON and raw bytes in turn), Bob over NATS, each sender's nonces in order,
    // both streams at once.
    const stream = async (send: (nonce: number) => Promise<void>) => {
      for (let nonce = 0; nonce < 20; nonce++) {
        if (
          !(await send(nonce).then(
            () => true,
            () => false,
          ))
        )
          return;
      }
    };
    const sends = [
      stream((n) => rest(transfer(alice, carol, 1n, n), n % 2 === 1)),
      stream((n) => nats(transfer(bob, carol, 1n, n))),
    ];
    await Promise.all(sends);
    await killing;
    await kill();
    expect(acked.size).toBeGreaterThanOrEqual(12);
    expect(rawAcked).toBeGreaterThan(0);
    await start();
    const { ids } = await client.request(ChainDeliverySubjects.mempoolInventory, {});
    for (const id of acked) expect(ids, `acknowledged ${id} lost`).toContain(id);
  });
});
