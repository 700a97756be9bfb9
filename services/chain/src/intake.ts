import {
  type Block,
  decodeBlock,
  decodeSignedTransaction,
  encodeBlock,
  type SignedTransaction,
} from "@p2pnode/codec";
import { decodeBlockJson, decoding, txFromJson } from "@p2pnode/rules";
import type {
  BlockAcceptedEvent,
  BlockJson,
  BlockVerdict,
  SignedTransactionJson,
  TxAcceptedEvent,
} from "@p2pnode/types";
import { CodedError } from "@p2pnode/types";
import type { Chain } from "./chain.js";
import { ChainError } from "./errors.js";
import type { ChainMetrics } from "./metrics.js";

/** Where accepted blocks and txs are announced (the NATS bus in the service, a stub in tests). */
export interface ChainEvents {
  blockAccepted(e: BlockAcceptedEvent): void;
  txAccepted(e: TxAcceptedEvent): void;
}

export type BlockSource = BlockAcceptedEvent["source"];

/**
 * The one path by which blocks and txs reach the chain — REST (JSON), NATS (codec bytes) and
 * sync alike: decode, submit, count, and announce with the bytes and the work subscribers need —
 * announcements only after `Chain` has returned, i.e. after COMMIT.
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

  submitTx(input: SignedTransactionJson | Uint8Array): { id: string } {
    this.refuseUnlessWritable();
    try {
      const t = this.m.chain.submitTx(...txOf(input));
      this.m.metrics?.txsAccepted.inc();
      this.m.events.txAccepted({ id: t.idHex, fee: t.fee.toString(), tx: t.bytes });
      return { id: t.idHex };
    } catch (err) {
      if (err instanceof ChainError) this.m.metrics?.txsRejected.inc({ reason: err.code });
      throw err;
    }
  }

  submitBlock(input: BlockJson | Uint8Array, source: BlockSource): BlockVerdict {
    // Sync acknowledges nothing to anyone, and a refusal here would read as the sending peer's fault.
    if (source !== "sync") this.refuseUnlessWritable();
    const started = performance.now();
    try {
      const [block, claimedHash] = blockOf(input);
      const { verdict, txCount } = this.m.chain.submitBlock(block, claimedHash);
      this.m.metrics?.blockSeconds.observe({ status: verdict.status }, (performance.now() - started) / 1000);
      if (verdict.status !== "known") {
        this.m.metrics?.blocksAccepted.inc({ status: verdict.status });
        if (verdict.status === "reorg") this.m.metrics?.reorgs.inc();
        this.m.events.blockAccepted({
          ...verdict,
          txCount,
          source,
          totalWork: this.workOf(verdict.hash),
          block: input instanceof Uint8Array ? input : encodeBlock(block),
        });
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

  /** Cumulative work of the chain ending at a stored block (the tip's for connected blocks). */
  private workOf(hashHex: string): string {
    return (this.m.chain.store.blockMeta(Buffer.from(hashHex, "hex"))?.totalWork ?? 0n).toString();
  }
}

function txOf(input: SignedTransactionJson | Uint8Array): [SignedTransaction, string?] {
  if (input instanceof Uint8Array) return [decoding("transaction", () => decodeSignedTransaction(input))];
  return [txFromJson(input), input.id];
}

function blockOf(input: BlockJson | Uint8Array): [Block, string?] {
  if (input instanceof Uint8Array) return [decoding("block", () => decodeBlock(input))];
  return [decodeBlockJson(input), input.hash];
}

interface DebugLog {
  debug(obj: object, msg: string): void;
}
