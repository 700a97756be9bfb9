/**
 * Initial sync vs local import, same blocks, same run (issue 5):
 *   1. a 1-node devnet ("ff…" target, no retarget) is created and stopped;
 *   2. BENCH_SYNC_BLOCKS blocks of BENCH_SYNC_TXS signed transfers each are built and written to
 *      a local file (length-prefixed encoded blocks);
 *   3. "local": node0's own chain store validates and stores them from that file (blocks/s);
 *   4. "sync": node0 restarts, a fresh node1 joins and syncs them over P2P (gateway ↔ gateway,
 *      chain ↔ gateway over NATS) until its tip is node0's (blocks/s, wall clock from its start).
 *   pnpm --filter @p2pnode/chain exec tsx bench/sync.ts   (goal: sync ≥ 0.5 × local)
 * Writes bench-results/chain-sync.json.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Block, decodeBlock, encodeBlock, HEADER_VERSION, type SignedTransaction } from "@p2pnode/codec";
import { headerHash, meetsTarget, readWallet, signTransaction, txId, txRoot } from "@p2pnode/crypto";
import { Devnet, serviceUrls } from "@p2pnode/devnet";
import { benchSetting, writeBenchResult } from "@p2pnode/kit/testing";
import { readGenesisFile } from "@p2pnode/rules";
import { chainStoreFile } from "../src/api.js";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { ChainStore } from "../src/store.js";

const BLOCKS = benchSetting("BENCH_SYNC_BLOCKS", 1_000, { min: 1 });
const TXS = benchSetting("BENCH_SYNC_TXS", 100, { min: 0 });
const dir = mkdtempSync(join(tmpdir(), "p2pnode-sync-bench-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
const now = () => performance.now();
const log = (s: string) => process.stdout.write(`${s}\n`);

async function tipOf(url: string): Promise<{ height: number; hash: string } | undefined> {
  return fetch(`${url}/tip`)
    .then((r) => (r.ok ? (r.json() as Promise<{ height: number; hash: string }>) : undefined))
    .catch(() => undefined);
}

try {
  const portBase = 24_010 + 1000 * Math.floor(Math.random() * 4);
  const state = await devnet.up({
    nodes: 1,
    miners: 0,
    portBase,
    consensus: { initialTarget: "f".repeat(64), retargetWindow: 100_000 },
  });
  await devnet.stopNode("node0");
  const genesis = readGenesisFile(state.genesisFile);
  const faucet = readWallet(devnet.faucetFile).key;

  // Build the chain once (a scratch store checks every block) and write it to a file.
  let t = now();
  const scratch = new Chain(defaultChainOptions, {
    genesis,
    store: new ChainStore(join(dir, "scratch.sqlite")),
  });
  const file = join(dir, "blocks.bin");
  const parts: Uint8Array[] = [];
  let nonce = 0;
  for (let i = 0; i < BLOCKS; i++) {
    const parent = scratch.tipBlock;
    const txs: SignedTransaction[] = [];
    for (let j = 0; j < TXS; j++) {
      const to = new Uint8Array(20).fill(1 + (j % 200));
      txs.push(
        signTransaction(
          {
            kind: "transfer",
            from: faucet.publicKey,
            to,
            amount: 1_000n,
            fee: 1_000n,
            nonce: nonce++,
            memo: new Uint8Array(),
          },
          genesis.chainId,
          faucet,
        ),
      );
    }
    const block: Block = {
      header: {
        version: HEADER_VERSION,
        height: parent.height + 1,
        prevHash: parent.hash,
        txRoot: txRoot(txs.map((x) => txId(x))),
        stateRoot: new Uint8Array(32),
        timestamp: parent.header.timestamp + 1,
        target: scratch.ancestry.targetAfter(parent, scratch.retarget),
        miner: new Uint8Array(20).fill(0xee),
        nonce: 0n,
      },
      txs,
    };
    while (!meetsTarget(headerHash(block.header), block.header.target)) block.header.nonce++;
    scratch.submitBlock(block);
    const bytes = encodeBlock(block);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, bytes);
  }
  writeFileSync(file, Buffer.concat(parts));
  scratch.store.close();
  log(
    `built ${BLOCKS} blocks × ${TXS} txs in ${((now() - t) / 1000).toFixed(1)} s (${(Buffer.concat(parts).length / 2 ** 20).toFixed(1)} MiB)`,
  );

  // Local: node0's own store validates and stores every block from the file.
  const node0 = state.nodes[0]!;
  const local = new Chain(defaultChainOptions, {
    genesis,
    store: new ChainStore(chainStoreFile(node0.dataDir)),
  });
  t = now();
  const buf = readFileSync(file);
  for (let off = 0; off < buf.length; ) {
    const n = buf.readUInt32BE(off);
    local.submitBlock(decodeBlock(buf.subarray(off + 4, off + 4 + n)));
    off += 4 + n;
  }
  const localSecs = (now() - t) / 1000;
  const target = local.tip();
  local.store.close();
  const localRate = BLOCKS / localSecs;
  log(`local import: ${BLOCKS} blocks in ${localSecs.toFixed(1)} s = ${localRate.toFixed(1)} blocks/s`);

  // Sync: node0 serves, a fresh node1 joins.
  await devnet.startNode("node0");
  const started = now();
  const s2 = await devnet.up({ nodes: 2 });
  const url1 = serviceUrls(s2.nodes[1]!).chain!;
  let firstAt: number | undefined;
  let firstHeight = 0;
  for (;;) {
    const tip = await tipOf(url1);
    if (tip && tip.height > 0 && firstAt === undefined) {
      firstAt = now();
      firstHeight = tip.height;
    }
    if (tip?.hash === target.hash) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const end = now();
  const wallSecs = (end - started) / 1000;
  const steadySecs = (end - (firstAt ?? started)) / 1000 || wallSecs;
  const syncRate = (BLOCKS - firstHeight) / steadySecs;
  const wallRate = BLOCKS / wallSecs;
  log(
    `sync: ${BLOCKS} blocks, ${wallSecs.toFixed(1)} s from node start (${wallRate.toFixed(1)} blocks/s), ` +
      `${syncRate.toFixed(1)} blocks/s once blocks flowed`,
  );
  const result = {
    blocks: BLOCKS,
    txsPerBlock: TXS,
    localBlocksPerSecond: localRate,
    syncBlocksPerSecond: syncRate,
    syncBlocksPerSecondWall: wallRate,
    ratio: syncRate / localRate,
    ratioWall: wallRate / localRate,
  };
  log(
    `ratio sync/local: ${result.ratio.toFixed(2)} (wall, incl. process start: ${result.ratioWall.toFixed(2)})`,
  );
  writeBenchResult("chain-sync", result);
} finally {
  await devnet.down({ wipe: true }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
