import type { Block, SignedTransaction } from "@p2pnode/codec";
import type { SignedMessage, VerdictSink } from "@p2pnode/crypto";
import { type CheckedTx, type PreparedBlock, prepareBlock } from "@p2pnode/rules";
import { CodedError } from "@p2pnode/types";
import type { BlockOutcome, Chain, TxSubmitOptions } from "./chain.js";
import type { PoolTx } from "./mempool.js";

/**
 * What admission needs of a VerifyPool (packages/crypto): verify() off the event loop; and
 * verifyTo(), which a tx's verdict takes when the verifier has it (no promise per tx).
 */
export interface SignatureVerifier {
  verify(item: SignedMessage): Promise<boolean>;
  verifyTo?(item: SignedMessage, sink: VerdictSink): void;
}

/** Where the pool hands a tx step its verdict: one object per tx, in place of a promise chain. */
class TxVerdict implements VerdictSink {
  constructor(
    private readonly admission: Admission,
    private readonly step: Step,
  ) {}

  verdict(ok: boolean): void {
    this.step.verdict = ok;
    this.admission.settle(this.step);
  }

  failed(err: Error): void {
    this.admission.poolFailed(err);
    this.admission.settle(this.step);
  }
}

/**
 * One submission waiting for its turn. A tx's step carries its own arguments (no closure per tx):
 * admission handles every tx of a busy node, and each promise or closure it keeps alive until the
 * group commit is young-generation work the collector copies (bench:admission-cpu).
 */
interface Step {
  kind: "tx" | "block";
  /** Its signatures are verified (or the pool failed: verified inline at commit). */
  settled: boolean;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
  // A tx's submission:
  stx?: SignedTransaction;
  claimedId?: string | undefined;
  bytes?: Uint8Array | undefined;
  prepared?: CheckedTx | undefined;
  verdict?: boolean | undefined;
  // A block's: the chain's synchronous submit with the verdicts.
  commitBlock?: () => BlockOutcome;
  /** performance.now() when it arrived and when its verdicts were in (AdmissionStats). */
  arrivedAt: number;
  settledAt: number;
}

/**
 * Where admitted txs spend their time, summed since start (the chain's /metrics exposes them as
 * counters; rates over a window give the averages): from arrival to the verdict (the VerifyPool's
 * queue, thread and reply), from the verdict to its group's commit (waiting for earlier steps and
 * the group), and the commits themselves (the pool rows and the fsync), with their number.
 */
export interface AdmissionStats {
  /** Txs admitted or refused through group commits. */
  txs: number;
  verifySeconds: number;
  waitSeconds: number;
  /** Mempool group commits and the seconds they took. */
  commits: number;
  commitSeconds: number;
}

/** Stats with nothing counted yet. */
export function emptyAdmissionStats(): AdmissionStats {
  return { txs: 0, verifySeconds: 0, waitSeconds: 0, commits: 0, commitSeconds: 0 };
}

/**
 * Every write into the chain from REST, NATS and sync: signatures are verified on a VerifyPool as
 * soon as a tx or block arrives (a turn's arrivals in one batch), and the chain's synchronous
 * submit then runs strictly in arrival order with the verdicts, so the answers are the ones the
 * chain gave when it verified inline: same checks, same order, same codes. The event loop never
 * waits on a verify. Txs whose verdicts are ready together are admitted with one mempool commit,
 * written before any of them is answered. Without a verifier (tests, light node) everything runs
 * inline as before.
 */
export class Admission {
  private readonly steps: Step[] = [];
  private closed = false;
  readonly stats: AdmissionStats = emptyAdmissionStats();
  /** A pump() is queued (microtask or next turn): one at a time, whatever settles meanwhile. */
  private pumpQueued = false;
  /** The head step the last one-turn wait was for: a head waits at most once. */
  private waitedFor: Step | undefined;

  constructor(
    private readonly m: {
      chain: Chain;
      verifier: SignatureVerifier | undefined;
      log?: { warn(obj: object, msg: string): void };
    },
  ) {}

  /** Steps waiting for their turn (a gauge for metrics and tests). */
  get waiting(): number {
    return this.steps.length;
  }

  /**
   * Refuses what waits and what comes later with NOT_READY; called on shutdown before the verify
   * pool and the store close, so nothing is applied to a closing store.
   */
  close(): void {
    this.closed = true;
    for (const step of this.steps.splice(0)) step.reject(stopping());
  }

  /** `bytes`: the codec bytes `stx` was decoded from, when it came as bytes (not encoded again). */
  submitTx(stx: SignedTransaction, claimedId?: string, bytes?: Uint8Array): Promise<PoolTx> {
    if (this.closed) return Promise.reject(stopping());
    const toVerify = this.m.verifier && this.m.chain.signatureToVerify(stx, claimedId, bytes);
    return new Promise<PoolTx>((resolve, reject) => {
      const step: Step = {
        kind: "tx",
        settled: !toVerify,
        resolve: resolve as (v: unknown) => void,
        reject,
        stx,
        claimedId,
        bytes,
        prepared: toVerify ? toVerify.prepared : undefined,
        verdict: undefined,
        arrivedAt: performance.now(),
        settledAt: 0,
      };
      this.enqueue(step);
      if (!toVerify) return;
      const verifier = this.m.verifier!;
      const sink = new TxVerdict(this, step);
      if (verifier.verifyTo) verifier.verifyTo(toVerify.signed, sink);
      else
        verifier.verify(toVerify.signed).then(
          (v) => sink.verdict(v),
          (err: Error) => sink.failed(err),
        );
    });
  }

  /** `body`: the codec bytes `block` was decoded from, when it came as bytes (stored as they are). */
  submitBlock(
    block: Block,
    claimedHash?: string,
    certificate?: Uint8Array,
    body?: Uint8Array,
  ): Promise<BlockOutcome> {
    const { chain } = this.m;
    let p: PreparedBlock;
    try {
      p = prepareBlock(block, chain.chainId, claimedHash, body, chain.knownTx);
    } catch (err) {
      // Stateless: the answer does not depend on what is ahead in the queue.
      return Promise.reject(err);
    }
    if (this.closed) return Promise.reject(stopping());
    const verdicts: (boolean | undefined)[] = [];
    const wanted = this.m.verifier ? chain.blockSignaturesToVerify(p) : [];
    return new Promise<BlockOutcome>((resolve, reject) => {
      const step: Step = {
        kind: "block",
        settled: wanted.length === 0,
        resolve: resolve as (v: unknown) => void,
        reject,
        commitBlock: () => chain.submitPrepared(p, certificate, verdicts),
        arrivedAt: performance.now(),
        settledAt: 0,
      };
      this.enqueue(step);
      if (wanted.length === 0) return;
      void Promise.all(
        wanted.map(({ index, signed }) =>
          this.m.verifier!.verify(signed).then(
            (v) => {
              verdicts[index] = v;
            },
            (err: unknown) => this.poolFailed(err),
          ),
        ),
      ).then(() => this.settle(step));
    });
  }

  /** No verdict from the pool: the chain verifies this one inline at commit. */
  poolFailed(err: unknown): void {
    this.m.log?.warn({ err: (err as Error).message }, "verify pool failed: verifying inline");
  }

  /** Queues a step behind the others; one that needs no verify is settled at once. */
  private enqueue(step: Step): void {
    this.steps.push(step);
    if (step.settled) this.settle(step);
  }

  /** A step's verdicts are in: the head's settling lets the queue move (TxVerdict calls it too). */
  settle(step: Step): void {
    step.settled = true;
    step.settledAt = performance.now();
    if (step === this.steps[0]) this.queuePump();
  }

  /**
   * As a microtask: the verdicts a pool thread sent in one message settle their steps in the
   * microtasks already queued, so they are all settled when pump() runs and join one group.
   */
  private queuePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Commits settled steps from the head, in arrival order, until the head is one still verified. */
  private pump(): void {
    while (!this.closed && this.steps[0]?.settled) {
      const head = this.steps[0];
      // A pool thread answers each batch in its own message, and replies queued behind this
      // one are delivered in the next turn: waiting that one turn lets them join this commit.
      // bench:rest: 2.8 txs per mempool commit became 5.8, and POST /txs went from 0.38× to
      // 0.43× of the trivial route (medians of seven pairs; README "REST POST /txs").
      if (head.kind === "tx" && this.waitedFor !== head && this.unsettledTxInGroupReach()) {
        this.waitedFor = head;
        this.pumpQueued = true;
        setImmediate(() => {
          this.pumpQueued = false;
          this.pump();
        });
        return;
      }
      if (head.kind === "block") {
        this.steps.shift();
        settle(head, head.commitBlock!);
        continue;
      }
      let n = 1;
      while (this.steps[n]?.kind === "tx" && this.steps[n]!.settled) n++;
      this.commitTxs(this.steps.splice(0, n));
    }
  }

  /** Whether the run of txs behind the head ends at one still being verified (so it may join). */
  private unsettledTxInGroupReach(): boolean {
    let i = 1;
    while (this.steps[i]?.kind === "tx" && this.steps[i]!.settled) i++;
    return this.steps[i]?.kind === "tx";
  }

  /** Admits each tx in order, writes the pool once, then answers each (nothing before the write). */
  private commitTxs(group: Step[]): void {
    const { chain } = this.m;
    const start = performance.now();
    countInto(this.stats, group, start);
    const outcomes: unknown[] = new Array(group.length);
    const failed: boolean[] = new Array(group.length).fill(false);
    for (let i = 0; i < group.length; i++) {
      const s = group[i]!;
      const o: TxSubmitOptions = { persist: false };
      if (s.bytes) o.bytes = s.bytes;
      if (s.prepared) o.prepared = s.prepared;
      if (s.verdict !== undefined) o.signatureValid = s.verdict;
      try {
        outcomes[i] = chain.submitTx(s.stx!, s.claimedId, o);
      } catch (err) {
        outcomes[i] = err;
        failed[i] = true;
      }
    }
    try {
      chain.flushMempool();
    } catch (err) {
      for (const step of group) step.reject(err);
      return;
    } finally {
      this.stats.commits++;
      this.stats.commitSeconds += (performance.now() - start) / 1000;
    }
    for (let i = 0; i < group.length; i++) {
      if (failed[i]) group[i]!.reject(outcomes[i]);
      else group[i]!.resolve(outcomes[i]);
    }
  }
}

/** Adds a group's txs to the stats: arrival to verdict, verdict to this commit's start. */
function countInto(stats: AdmissionStats, group: readonly Step[], start: number): void {
  let verify = 0;
  let wait = 0;
  for (const s of group) {
    verify += s.settledAt - s.arrivedAt;
    wait += start - s.settledAt;
  }
  stats.txs += group.length;
  stats.verifySeconds += verify / 1000;
  stats.waitSeconds += wait / 1000;
}

function stopping(): CodedError {
  return new CodedError("NOT_READY", "chain is stopping: writes are refused");
}

function settle(step: Step, run: () => unknown): void {
  try {
    step.resolve(run());
  } catch (err) {
    step.reject(err);
  }
}
