import type { Block, SignedTransaction } from "@p2pnode/codec";
import { decodeBlockBytes, decodeBlockJson, decodeTxBytes, txFromJson } from "@p2pnode/rules";
import {
  type BlockJson,
  type BlockVerdict,
  CodedError,
  type SignedTransactionJson,
  type TxAcceptedEvent,
} from "@p2pnode/types";
import { Admission, type SignatureVerifier } from "./admission.js";
import type { BlockOutcome, Chain } from "./chain.js";
import { ChainError, ChainFault } from "./errors.js";
import type { ChainMetrics } from "./metrics.js";

/** A committed block as announced: its bytes and total work come from the commit itself. */
export interface AcceptedBlock {
  hash: string;
  height: number;
  status: BlockVerdict["status"];
  txCount: number;
  /** The block's codec bytes, as stored. */
  block: Uint8Array;
  /** Total work of the chain ending at this block. */
  totalWork: bigint;
  /** The certificate it was stored with (dolev-strong networks). */
  certificate?: Uint8Array;
}

/** Where accepted blocks and txs are announced (the NATS bus in the service, a stub in tests). */
export interface ChainEvents {
  blockAccepted(e: AcceptedBlock): void;
  /** `tx`: the transaction's codec bytes, as peers are sent them. */
  txAccepted(e: TxAcceptedEvent): void;
}

/** The event of a block `Chain.submitBlock` committed; undefined for a block it already had. */
export function acceptedBlock(out: BlockOutcome): AcceptedBlock | undefined {
  if (out.verdict.status === "known") return undefined;
  if (!out.committed)
    throw new ChainFault("INTERNAL", `block ${out.verdict.hash}: committed without its bytes`);
  return {
    ...out.verdict,
    txCount: out.txCount,
    block: out.committed.body,
    totalWork: out.committed.totalWork,
    ...(out.certificate ? { certificate: out.certificate.bytes } : {}),
  };
}

/**
 * The one path by which blocks and txs from REST, NATS and sync reach the chain: decode, submit,
 * count, and announce — announcements only after `Chain` has returned, i.e. after COMMIT.
 * Submissions go through `admission` (signatures on the service's VerifyPool, then the chain in
 * arrival order), so every write, sync's included, keeps one order.
 */
export class ChainIntake {
  readonly admission: Admission;

  constructor(
    private readonly m: {
      chain: Chain;
      metrics: ChainMetrics | undefined;
      events: ChainEvents;
      log?: DebugLog;
      /** False while the service may not acknowledge writes (supervisor gone, NATS down). */
      writable?: () => boolean;
      /** The service's VerifyPool; without one, signatures are verified inline. */
      verifier?: SignatureVerifier;
    },
  ) {
    this.admission = new Admission({
      chain: m.chain,
      verifier: m.verifier,
      ...(m.log?.warn ? { log: m.log as Required<DebugLog> } : {}),
    });
  }

  /**
   * A write acknowledged by a service that is not ready could be lost with it: refuse it instead.
   * Checked when a write arrives, and again (`committed`: what was written) before it is
   * acknowledged: the supervisor may die (or NATS drop) while the write is verified and committed,
   * and an orphan acknowledges nothing. That write is durable already, so sending it again is
   * safe: a tx answers DUPLICATE (pending), a block "known".
   */
  private refuseUnlessWritable(committed?: "tx" | "block"): void {
    if (!this.m.writable || this.m.writable()) return;
    throw new CodedError(
      "NOT_READY",
      committed === undefined
        ? "chain is not ready: writes are refused until it is"
        : `chain stopped being writable before it could acknowledge the ${committed}; it may be stored: send it again`,
    );
  }

  /**
   * A tx as JSON (REST): parsed once here, or already read (`stx`: rules' transferFromBody, what
   * POST /txs makes of a transfer body in one pass); its bytes are encoded once by the rules.
   */
  submitTx(json: SignedTransactionJson, stx?: SignedTransaction): Promise<{ id: string }> {
    return this.admitTx(json, undefined, stx);
  }

  /**
   * A tx as codec bytes (NATS: the gateway relays a peer's bytes): decoded once here; the bytes are
   * what the mempool keeps and the event carries (the codec takes only the canonical encoding).
   */
  submitTxBytes(bytes: Uint8Array): Promise<{ id: string }> {
    return this.admitTx(undefined, bytes, undefined);
  }

  /**
   * Admits the tx given as `json` (`stx` when already read from it) or as `bytes`. One async call
   * per tx, taking the tx as it came rather than a closure that decodes it: every submission goes
   * through here, and each extra async frame or closure is young garbage the collector handles.
   */
  private async admitTx(
    json: SignedTransactionJson | undefined,
    bytes: Uint8Array | undefined,
    stx: SignedTransaction | undefined,
  ): Promise<{ id: string }> {
    this.refuseUnlessWritable();
    try {
      const t = json
        ? await this.admission.submitTx(stx ?? txFromJson(json), json.id)
        : await this.admission.submitTx(decodeTxBytes(bytes!), undefined, bytes);
      this.refuseUnlessWritable("tx");
      this.m.metrics?.txsAccepted.inc();
      this.m.events.txAccepted({ id: t.idHex, fee: t.fee.toString(), tx: t.bytes });
      return { id: t.idHex };
    } catch (err) {
      if (err instanceof ChainError) this.m.metrics?.txsRejected.inc({ reason: err.code });
      throw err;
    }
  }

  /** A block as JSON (REST): parsed once here. */
  async submitBlock(json: BlockJson, source: string): Promise<BlockVerdict> {
    this.refuseUnlessWritable();
    const verdict = await this.applyBlock(decodeBlockJson(json), json.hash, source);
    this.refuseUnlessWritable("block");
    return verdict;
  }

  /**
   * A block as codec bytes (NATS: the miner's, or a peer's relayed by the gateway): decoded once
   * here; the bytes are what is stored and announced (the codec takes only the canonical encoding).
   */
  async submitBlockBytes(bytes: Uint8Array, source: string): Promise<BlockVerdict> {
    this.refuseUnlessWritable();
    const verdict = await this.applyBlock(
      decodeBlockBytes(bytes, this.m.chain.knownTx),
      undefined,
      source,
      bytes,
    );
    this.refuseUnlessWritable("block");
    return verdict;
  }

  /**
   * Validates, commits, counts and announces one block: the path of REST, NATS and sync alike.
   * Sync calls it directly: its blocks were asked for, not acknowledged to anyone, so they are
   * applied while the service is not writable (a refusal would read as the peer's fault).
   */
  async applyBlock(
    block: Block,
    claimedHash: string | undefined,
    source: string,
    body?: Uint8Array,
  ): Promise<BlockVerdict> {
    const started = performance.now();
    try {
      const out = await this.admission.submitBlock(block, claimedHash, undefined, body);
      const { verdict, txCount } = out;
      this.m.metrics?.blockSeconds.observe({ status: verdict.status }, (performance.now() - started) / 1000);
      const event = acceptedBlock(out);
      if (event) {
        this.m.metrics?.blocksAccepted.inc({ status: verdict.status });
        if (verdict.status === "reorg") this.m.metrics?.reorgs.inc();
        this.m.events.blockAccepted(event);
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
  warn?(obj: object, msg: string): void;
}
