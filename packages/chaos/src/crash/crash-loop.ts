import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  encodeBlockFromFrames,
  encodeSignedTransaction,
  headerFromJson,
  signedTransactionFromJson,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import { addressOf, signingKeyFromSeed, signTransaction, txId } from "@p2pnode/crypto";
import { type Bus, seededRandom } from "@p2pnode/kit";
import { connectTestBus, freePort, startTestNode, type TestNode, testGenesis } from "@p2pnode/kit/testing";
import { ChainSubjects, SERVICE_ENTRY, type SignedTransactionJson } from "@p2pnode/types";
import Database from "better-sqlite3";

/**
 * The chain service SIGKILLed at random moments while txs arrive over REST and blocks are mined
 * into it; restarted at once each time (no supervisor backoff). Afterwards: SQLite's
 * integrity_check on its store passes, every block it acknowledged is on its chain, and its state
 * digest equals that of a chain service that never crashed and was given the same blocks.
 */
export interface CrashLoopOptions {
  kills: number;
  seed: number;
  /** Longest random wait between the service answering again and the next SIGKILL. */
  maxGapMs: number;
  log?: (line: string) => void;
}

export interface CrashLoopReport {
  kills: number;
  seed: number;
  blocksAcknowledged: number;
  blocksLost: number;
  txsAcknowledged: number;
  txsCommitted: number;
  /** Acknowledged (202) txs neither in a block nor in the mempool after the loop. */
  txsLost: number;
  height: number;
  integrityCheck: string;
  digest: string;
  referenceDigest: string;
  digestsEqual: boolean;
  meanRestartMs: number;
  wallSec: number;
  ok: boolean;
}

const chainMain = () =>
  process.env.P2PNODE_CHAIN_MAIN ??
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../../services/chain", SERVICE_ENTRY);

/** Chain services started by this process: killed on SIGINT/SIGTERM too (see the bin). */
const running = new Set<ChildProcess>();
export function killRunningChains(): void {
  for (const c of running) c.kill("SIGKILL");
}

class ChainProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly node: TestNode,
    readonly port: number,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  start(): void {
    if (!existsSync(chainMain())) throw new Error(`${chainMain()} not found: run \`pnpm build\` first`);
    const fd = openSync(join(this.node.dataDir, "chain.log"), "a");
    try {
      this.child = spawn(process.execPath, [chainMain()], {
        env: {
          ...this.node.env,
          PATH: process.env.PATH,
          P2PNODE_CHAIN_PORT: String(this.port),
          P2PNODE_LOG_LEVEL: "warn",
        },
        stdio: ["ignore", fd, fd],
      });
      const child = this.child;
      running.add(child);
      child.once("exit", () => running.delete(child));
    } finally {
      closeSync(fd);
    }
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await gone;
  }
  async answers(): Promise<boolean> {
    return fetch(`${this.url}/ready`, { signal: AbortSignal.timeout(2_000) })
      .then(async (r) => r.ok && ((await r.json()) as { ready?: boolean }).ready === true)
      .catch(() => false);
  }
  /** Generous: on a loaded machine a Node service takes tens of seconds to start; a guard, not a goal. */
  async waitUp(timeoutMs = 300_000): Promise<number> {
    const t = Date.now();
    while (!(await this.answers())) {
      if (Date.now() - t > timeoutMs) throw new Error(`chain service not ready in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - t;
  }
}

const json = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

export async function runCrashLoop(o: CrashLoopOptions): Promise<CrashLoopReport> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  const wallet = signingKeyFromSeed(new Uint8Array(randomBytes(32)));
  const minerAddr = Buffer.from(new Uint8Array(20).fill(0x77)).toString("hex");
  const genesis = testGenesis({
    chainId: "crash-loop",
    allocations: [
      { address: Buffer.from(addressOf(wallet.publicKey)).toString("hex"), balance: "1000000000000" },
    ],
    consensus: { ...testGenesis().consensus, retargetWindow: 100_000 },
  });
  const [nodeA, nodeR] = await Promise.all([
    startTestNode("full", {}, { genesis }),
    startTestNode("full", {}, { genesis }),
  ]);
  const a = new ChainProcess(nodeA, await freePort());
  const ref = new ChainProcess(nodeR, await freePort());
  const bus: Bus = await connectTestBus(nodeA.nats, "crash-loop");
  const next = seededRandom(o.seed);
  const ackedBlocks: { hash: string; height: number }[] = [];
  const ackedTxs = new Set<string>();
  let stop = false;
  const restartMs: number[] = [];
  try {
    a.start();
    ref.start();
    await Promise.all([a.waitUp(), ref.waitUp()]);
    // Load: txs over REST with the next nonce the chain expects (a crash may drop mempool txs).
    const txLoop = (async () => {
      while (!stop) {
        try {
          const acct = await json<{ pendingNonce: number }>(
            `${a.url}/accounts/${Buffer.from(addressOf(wallet.publicKey)).toString("hex")}`,
          );
          const stx = signTransaction(
            {
              kind: "transfer",
              from: wallet.publicKey,
              to: new Uint8Array(20).fill(1),
              amount: 1n,
              fee: 100_000n,
              nonce: acct.pendingNonce,
              memo: new Uint8Array(0),
            },
            genesis.chainId,
            wallet,
          );
          const r = await fetch(`${a.url}/txs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(signedTransactionToJson(stx)),
            signal: AbortSignal.timeout(5_000),
          });
          if (r.status === 202) ackedTxs.add(((await r.json()) as { id: string }).id);
        } catch {
          // the service is down: try again
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Mining: a template from the chain, submitted back; every "connected" answer is a promise.
    const mineLoop = (async () => {
      while (!stop) {
        try {
          const t = await bus.request(ChainSubjects.templateGet, { miner: minerAddr }, 5_000);
          const v = await bus.request(
            ChainSubjects.blockSubmit,
            { block: encodeBlockFromFrames(headerFromJson(t.header), t.txs), source: "miner" },
            10_000,
          );
          if (v.status === "connected") ackedBlocks.push({ hash: v.hash, height: v.height });
        } catch {
          // down or racing a restart
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    for (let k = 0; k < o.kills; k++) {
      await new Promise((r) => setTimeout(r, Math.floor(next() * o.maxGapMs)));
      await a.kill();
      a.start();
      restartMs.push(await a.waitUp());
      if ((k + 1) % 20 === 0 || k + 1 === o.kills)
        log(`${k + 1}/${o.kills} kills, ${ackedBlocks.length} blocks, ${ackedTxs.size} txs acknowledged`);
    }
    // The load goes on until the restarted service has acknowledged a block (bounded): every kill
    // may have landed while a request was in flight (it then waits out its timeout), and a run
    // that acknowledged no block would check nothing.
    const ackedBeforeLast = ackedBlocks.length;
    const until = Date.now() + 60_000;
    while (ackedBlocks.length === ackedBeforeLast && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all([txLoop, mineLoop]);
    log(`load stopped: ${ackedBlocks.length} blocks, ${ackedTxs.size} txs acknowledged; comparing`);
    // The crashed service's main chain, block by block: fed in order to the reference, its
    // hashes and tx ids collected for the acknowledged-blocks and acknowledged-txs checks.
    const tip = await json<{ height: number }>(`${a.url}/tip`);
    const mainHashes = new Set<string>();
    const minedTxs = new Set<string>();
    for (let h = 1; h <= tip.height; h++) {
      const d = await json<{ hash: string; header: unknown; txs: SignedTransactionJson[] }>(
        `${a.url}/blocks/${h}`,
      );
      mainHashes.add(d.hash);
      for (const t of d.txs) minedTxs.add(toHex(txId(encodeSignedTransaction(signedTransactionFromJson(t)))));
      const r = await fetch(`${ref.url}/blocks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ header: d.header, txs: d.txs }),
        signal: AbortSignal.timeout(30_000),
      });
      if (!r.ok) throw new Error(`reference refused block ${h}: ${r.status} ${await r.text()}`);
    }
    const lost = ackedBlocks.filter((b) => !mainHashes.has(b.hash)).length;
    const [da, dr] = await Promise.all([
      json<{ digest: string; height: number }>(`${a.url}/state/digest`),
      json<{ digest: string; height: number }>(`${ref.url}/state/digest`),
    ]);
    let committed = 0;
    let txLost = 0;
    for (const id of ackedTxs) {
      if (minedTxs.has(id)) {
        committed++;
        continue;
      }
      // Not in a block: it must at least still be pending.
      const s = await json<{ status: string }>(`${a.url}/txs/${id}`).catch(() => undefined);
      if (!s) txLost++;
    }
    log(`digests compared at height ${tip.height}; integrity check`);
    // One more crash, then SQLite checks the file as the next start would find it.
    await a.kill();
    const db = new Database(join(nodeA.dataDir, "chain", "chain.sqlite"));
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("; ");
    db.close();
    const report: CrashLoopReport = {
      kills: o.kills,
      seed: o.seed,
      blocksAcknowledged: ackedBlocks.length,
      blocksLost: lost,
      txsAcknowledged: ackedTxs.size,
      txsCommitted: committed,
      txsLost: txLost,
      height: tip.height,
      integrityCheck: integrity,
      digest: da.digest,
      referenceDigest: dr.digest,
      digestsEqual: da.digest === dr.digest && da.height === dr.height,
      meanRestartMs: Math.round(restartMs.reduce((s, x) => s + x, 0) / Math.max(1, restartMs.length)),
      wallSec: (Date.now() - t0) / 1000,
      ok: false,
    };
    report.ok = integrity === "ok" && report.digestsEqual && lost === 0 && txLost === 0;
    return report;
  } finally {
    stop = true;
    await a.kill().catch(() => undefined);
    await ref.kill().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await Promise.all([nodeA.stop(), nodeR.stop()]);
    if (process.env.CRASH_KEEP !== "1")
      for (const n of [nodeA, nodeR]) rmSync(n.dataDir, { recursive: true, force: true });
    else log(`data kept in ${nodeA.dataDir} and ${nodeR.dataDir}`);
  }
}
