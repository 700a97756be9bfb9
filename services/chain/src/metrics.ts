import type { Ed25519Engine } from "@p2pnode/crypto";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { AdmissionStats } from "./admission.js";
import type { Chain } from "./chain.js";

/**
 * Admission's counters on /metrics, each with the AdmissionStats field it reads (also how
 * bench/rest-submit.ts finds them in the service's /metrics).
 */
export const ADMISSION_COUNTERS = [
  {
    name: "chain_admission_txs_total",
    help: "txs admitted or refused through mempool group commits",
    field: "txs",
  },
  {
    name: "chain_admission_verify_seconds_total",
    help: "summed over those txs: arrival to signature verdict (VerifyPool queue, thread, reply)",
    field: "verifySeconds",
  },
  {
    name: "chain_admission_wait_seconds_total",
    help: "summed over those txs: verdict to the start of their group's commit",
    field: "waitSeconds",
  },
  {
    name: "chain_mempool_commits_total",
    help: "mempool group commits (one SQLite transaction each)",
    field: "commits",
  },
  {
    name: "chain_mempool_commit_seconds_total",
    help: "time in those commits (pool rows, COMMIT with its fsync)",
    field: "commitSeconds",
  },
] as const satisfies readonly { name: string; help: string; field: keyof AdmissionStats }[];

/** The chain's Prometheus metrics; gauges read the chain when scraped. */
export class ChainMetrics {
  readonly blocksAccepted: Counter<"status">;
  readonly blocksRejected: Counter<"reason">;
  readonly txsAccepted: Counter;
  readonly txsRejected: Counter<"reason">;
  readonly reorgs: Counter;
  readonly blockSeconds: Histogram<"status">;

  constructor(
    private readonly registry: Registry,
    chain: Chain,
  ) {
    const registers = [registry];
    new Gauge({
      name: "chain_height",
      help: "height of the best chain's tip",
      registers,
      collect() {
        this.set(chain.tipBlock.height);
      },
    });
    new Gauge({
      name: "chain_store_pending_rows",
      help: "account writes and tx index rows waiting in memory for the store's next flush",
      registers,
      collect() {
        this.set(chain.store.pendingRows);
      },
    });
    const flushes = chain.store.flushStats;
    sumCounters(registry, flushes, [
      {
        name: "chain_store_flushes_total",
        help: "flushes of the waiting rows to the accounts and tx index tables",
        field: "flushes",
      },
      { name: "chain_store_flushed_rows_total", help: "rows those flushes wrote", field: "rows" },
      {
        name: "chain_store_flush_seconds_total",
        help: "time writing them (before their COMMIT)",
        field: "seconds",
      },
    ]);
    new Gauge({
      name: "mempool_size",
      help: "transactions waiting in the mempool",
      registers,
      collect() {
        this.set(chain.mempool.size);
      },
    });
    new Gauge({
      name: "mempool_bytes",
      help: "encoded bytes of the transactions in the mempool",
      registers,
      collect() {
        this.set(chain.mempool.bytes);
      },
    });
    this.blocksAccepted = new Counter({
      name: "chain_blocks_accepted_total",
      help: "blocks stored, by outcome (connected, side, reorg)",
      labelNames: ["status"],
      registers,
    });
    this.blocksRejected = new Counter({
      name: "chain_blocks_rejected_total",
      help: "blocks refused, by RejectReason",
      labelNames: ["reason"],
      registers,
    });
    this.txsAccepted = new Counter({
      name: "chain_txs_accepted_total",
      help: "transactions admitted to the mempool",
      registers,
    });
    this.txsRejected = new Counter({
      name: "chain_txs_rejected_total",
      help: "transactions refused, by RejectReason",
      labelNames: ["reason"],
      registers,
    });
    this.reorgs = new Counter({
      name: "chain_reorgs_total",
      help: "switches of the best chain to a heavier branch",
      registers,
    });
    this.blockSeconds = new Histogram({
      name: "chain_block_process_seconds",
      help: "validation and commit time of a submitted block",
      labelNames: ["status"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  /** Which Ed25519 engine the VerifyPool's threads loaded (packages/crypto: libsodium or openssl). */
  showVerifyEngine(engine: Ed25519Engine | undefined): void {
    const info = new Gauge({
      name: "chain_ed25519_engine_info",
      help: "1 for the Ed25519 engine the signature threads verify with (libsodium; openssl where its addon does not load)",
      labelNames: ["engine"],
      registers: [this.registry],
    });
    info.set({ engine: engine ?? "unknown" }, 1);
  }

  /**
   * Counters of where admitted txs spent their time (Admission's stats, read when scraped):
   * rate(verify_seconds) / rate(txs) is the average arrival-to-verdict time, and so on.
   */
  watchAdmission(stats: AdmissionStats): void {
    sumCounters(this.registry, stats, ADMISSION_COUNTERS);
  }
}

/** Counters that read a running sum from `stats` when scraped (the object keeps counting). */
function sumCounters<S>(
  registry: Registry,
  stats: S,
  counters: readonly { name: string; help: string; field: keyof S }[],
): void {
  for (const { name, help, field } of counters)
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(stats[field] as number);
      },
    });
}
