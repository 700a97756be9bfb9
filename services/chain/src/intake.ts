import { decodeBlockJson, txFromJson } from "@p2pnode/rules";
import { type BlockJson, type BlockVerdict, CodedError, type SignedTransactionJson } from "@p2pnode/types";
import type { Chain } from "./chain.js";
import { ChainError } from "./errors.js";
import type { ChainMetrics } from "./metrics.js";

/**
 * Where accepted blocks and txs are announced (the NATS bus in the service, a stub in tests).
 * A block is named by its verdict: the bus reads its bytes, total work and certificate back from
 * the store (nats.ts), so every path that commits a block announces the same event.
 */
export interface ChainEvents {
  blockAccepted(e: { hash: string; height: number; status: BlockVerdict["status"]; txCount: number }): void;
  /** `tx`: the transaction's codec bytes, as peers are sent them. */
  txAccepted(e: { id: string; fee: string; tx: Uint8Array }): void;
}

/**
 * The one path by which JSON from REST or NATS reaches the chain: decode, submit, count, and
 * announce — announcements only after `Chain` has returned, i.e. after COMMIT.
 */
export class ChainIntake {
  constructor(
    private readonly m: {
      chain: Chain;
      metrics: ChainMetrics | undefined;
      events: ChainEvents;
      log?: DebugLog;
      /** False while the service may not acknowledge writes (supervisor gone, NATS down). */
      writable?: () => boolean;
    },
  ) {}

  /** A write acknowledged by a service that is not ready could be lost with it: refuse it instead. */
  private refuseUnlessWritable(): void {
    if (this.m.writable && !this.m.writable())
      throw new CodedError("NOT_READY", "chain is not ready: writes are refused until it is");
  }

  submitTx(json: SignedTransactionJson): { id: string } {
    this.refuseUnlessWritable();
    try {
      const t = this.m.chain.submitTx(txFromJson(json), json.id);
      this.m.metrics?.txsAccepted.inc();
      this.m.events.txAccepted({ id: t.idHex, fee: t.fee.toString(), tx: t.bytes });
      return { id: t.idHex };
    } catch (err) {
      if (err instanceof ChainError) this.m.metrics?.txsRejected.inc({ reason: err.code });
      throw err;
    }
  }

  submitBlock(json: BlockJson, source: string): BlockVerdict {
    this.refuseUnlessWritable();
    const started = performance.now();
    try {
      const { verdict, txCount } = this.m.chain.submitBlock(decodeBlockJson(json), json.hash);
      this.m.metrics?.blockSeconds.observe({ status: verdict.status }, (performance.now() - started) / 1000);
      if (verdict.status !== "known") {
        this.m.metrics?.blocksAccepted.inc({ status: verdict.status });
        if (verdict.status === "reorg") this.m.metrics?.reorgs.inc();
        this.m.events.blockAccepted({ ...verdict, txCount });
      }
      this.m.log?.debug({ ...verdict, txCount, source }, "block processed");
      return verdict;
    } catch (err) {
      if (err instanceof ChainError) {
        this.m.metrics?.blocksRejected.inc({ reason: err.code });
        this.m.log?.debug({ reason: err.code, err: err.message, source }, "block refused");
      }
      throw err;
    }
  }
}

interface DebugLog {
  debug(obj: object, msg: string): void;
}
