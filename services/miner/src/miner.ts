import { randomInt } from "node:crypto";
import { encodeBlockFromFrames, headerFromJson, NONCE_OFFSET } from "@p2pnode/codec";
import { KitError, type Logger } from "@p2pnode/kit";
import type { BlockTemplate, BlockVerdict, CodedError } from "@p2pnode/types";
import type { WorkerEvent } from "./hash-worker.js";
import { HashrateWindow } from "./hashrate-window.js";
import { WorkerPool } from "./worker-pool.js";

/** What the miner needs from the chain service (over NATS in production, stubs in tests). */
export interface ChainPort {
  template(miner: string): Promise<BlockTemplate>;
  /** A found block as its codec bytes. */
  submit(block: Uint8Array): Promise<BlockVerdict>;
}

export interface MinerOptions {
  /** Hashing threads; default one per core. */
  workers: number;
  /** Address that receives rewards and fees (20-byte hex). */
  address: string;
  /** Nonces a worker tries before looking at its mailbox; ~20-50 ms of work. */
  sliceSize: number;
  /** A template is refreshed at least this often, so its timestamp stays close to now. */
  refreshMs: number;
}

export const defaultMinerOptions = { sliceSize: 20_000, refreshMs: 10_000 } as const;

export interface MinerStatus {
  mining: boolean;
  workers: number;
  address: string;
  hashrate: number;
  hashes: number;
  /** Threads that have hashed on the current template (fewer than `workers` while threads start). */
  workersHashing: number;
  blocksFound: number;
  blocksRejected: number;
  templateHeight: number | null;
  lastBlock: { hash: string; height: number; at: number } | null;
  /** Why the last template request failed (the chain still syncing, say); null once one came. */
  waiting: string | null;
}

/** A refused template is asked for again this soon (the chain says when it is ready by answering). */
const TEMPLATE_RETRY_MS = 1_000;

/**
 * Proof-of-work block production: fetches a template, hands each worker a disjoint nonce range
 * (its own high 32 bits), submits what it finds and starts over on the new tip.
 */
export class Miner {
  private pool: WorkerPool | undefined;
  private template: BlockTemplate | undefined;
  private jobId = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly hashrate = new HashrateWindow(10_000);
  /** Workers that reported hashes for the current job. */
  private readonly hashing = new Set<number>();
  private readonly stats = { hashes: 0, blocksFound: 0, blocksRejected: 0 };
  private lastBlock: MinerStatus["lastBlock"] = null;
  private waiting: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Found blocks on their way to the chain: stop() waits for them (submit() never rejects). */
  private readonly submitting = new Set<Promise<void>>();

  constructor(
    private readonly o: MinerOptions,
    private readonly m: { chain: ChainPort; log: Logger },
  ) {
    if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 256) {
      throw new KitError("CONFIG_INVALID", `miner workers must be 1-256, got ${o.workers}`);
    }
  }

  get mining(): boolean {
    return this.pool !== undefined;
  }

  start(): void {
    if (this.pool) return;
    this.hashrate.reset();
    // A closing pool's threads may still report after stop() (messages already queued): only the
    // current pool's reports count, or a stopped miner would show threads hashing.
    const pool: WorkerPool = new WorkerPool(
      this.o.workers,
      (e, i) => {
        if (this.pool === pool) this.onWorker(e, i);
      },
      (err) => this.m.log.error({ err }, "mining worker failed"),
    );
    this.pool = pool;
    this.refreshTimer = setInterval(() => void this.refresh("periodic"), this.o.refreshMs);
    this.refreshTimer.unref();
    void this.refresh("start");
    this.m.log.info({ workers: this.o.workers, address: this.o.address }, "mining started");
  }

  async stop(): Promise<void> {
    if (!this.pool) return;
    clearInterval(this.refreshTimer);
    clearTimeout(this.retryTimer);
    const pool = this.pool;
    this.pool = undefined;
    this.template = undefined;
    this.hashing.clear();
    await pool.close();
    // A block found before the stop is in the chain (or refused) when stop() returns: a caller
    // that reads the tip after stopping (POST /stop, then GET /tip) reads the last one mined.
    await Promise.all(this.submitting);
    this.m.log.info("mining stopped");
  }

  /** Fetch a fresh template and restart the workers on it (tip or mempool changed, or time passed). */
  refresh(reason: string): Promise<void> {
    if (!this.pool) return Promise.resolve();
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.m.chain
      .template(this.o.address)
      .then((t) => {
        this.waiting = null;
        this.dispatch(t);
      })
      .catch((err: unknown) => {
        const message = (err as Error).message;
        if (message !== this.waiting) this.m.log.warn({ err: message, reason }, "no block template");
        this.waiting = message;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.refresh("retry"), TEMPLATE_RETRY_MS);
        this.retryTimer.unref();
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private dispatch(t: BlockTemplate): void {
    const pool = this.pool;
    if (!pool) return;
    this.template = t;
    this.jobId++;
    this.hashing.clear();
    const base = randomInt(0, 2 ** 32 - pool.size);
    for (let i = 0; i < pool.size; i++) {
      // Each worker writes nonces into its own header bytes: decoded once for it and moved to
      // its thread (transferred, not cloned), so no two threads share a buffer or a cache line.
      const header = new Uint8Array(Buffer.from(t.headerHex, "hex"));
      const target = new Uint8Array(Buffer.from(t.header.target, "hex"));
      pool.send(
        i,
        {
          type: "job",
          jobId: this.jobId,
          header,
          target,
          nonceOffset: NONCE_OFFSET,
          nonceHigh: base + i,
          sliceSize: this.o.sliceSize,
        },
        [header.buffer as ArrayBuffer, target.buffer as ArrayBuffer],
      );
    }
  }

  private onWorker(e: WorkerEvent, worker: number): void {
    if (e.type === "progress") {
      this.stats.hashes += e.hashes;
      this.hashrate.add(e.hashes, Date.now());
      if (e.jobId === this.jobId) this.hashing.add(worker);
      return;
    }
    if (e.jobId !== this.jobId || !this.template) return;
    if (e.type === "exhausted") {
      void this.refresh("nonce range exhausted");
      return;
    }
    const t = this.template;
    this.pool?.broadcast({ type: "pause" });
    const nonce = (BigInt(e.nonceHigh) << 32n) | BigInt(e.nonceLow);
    const submitted = this.submit(t, nonce);
    this.submitting.add(submitted);
    void submitted.finally(() => this.submitting.delete(submitted));
  }

  /** The template with the found nonce, encoded once (packages/codec) and submitted as bytes. */
  private async submit(t: BlockTemplate, nonce: bigint): Promise<void> {
    try {
      const block = encodeBlockFromFrames(headerFromJson({ ...t.header, nonce: nonce.toString() }), t.txs);
      const verdict = await this.m.chain.submit(block);
      this.stats.blocksFound++;
      this.lastBlock = { hash: verdict.hash, height: verdict.height, at: Date.now() };
      this.m.log.info({ height: verdict.height, hash: verdict.hash, status: verdict.status }, "block found");
    } catch (err) {
      this.stats.blocksRejected++;
      const e = err as CodedError;
      this.m.log.warn({ code: e.code, err: e.message }, "found block was refused");
    }
    await this.refresh("block found");
  }

  status(): MinerStatus {
    return {
      mining: this.mining,
      workers: this.o.workers,
      address: this.o.address,
      hashrate: this.mining ? Math.round(this.hashrate.rate(Date.now())) : 0,
      hashes: this.stats.hashes,
      workersHashing: this.hashing.size,
      blocksFound: this.stats.blocksFound,
      blocksRejected: this.stats.blocksRejected,
      templateHeight: this.template?.header.height ?? null,
      lastBlock: this.lastBlock,
      waiting: this.mining ? this.waiting : null,
    };
  }
}
