import type { Block, SignedTransaction } from "@p2pnode/codec";
import type { SignedMessage } from "@p2pnode/crypto";
import { type PreparedBlock, prepareBlock } from "@p2pnode/rules";
import { CodedError } from "@p2pnode/types";
import type { BlockOutcome, Chain } from "./chain.js";
import type { PoolTx } from "./mempool.js";

/** What admission needs of a VerifyPool (packages/crypto): verify() off the event loop. */
export interface SignatureVerifier {
  verify(item: SignedMessage): Promise<boolean>;
}

interface Step {
  kind: "tx" | "block";
  /** Settles when the step's signatures are verified (never rejects: a failed pool means "verify inline"). */
  ready: Promise<void>;
  settled: boolean;
  /** Runs the chain's synchronous submit with the verdicts; `persist` false for grouped txs. */
  commit: (persist: boolean) => unknown;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
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
  private draining = false;
  private closed = false;

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
    const { chain } = this.m;
    const toVerify = this.m.verifier && chain.signatureToVerify(stx, claimedId, bytes);
    let verdict: boolean | undefined;
    const ready = toVerify
      ? this.verify(toVerify.signed).then((v) => {
          verdict = v;
        })
      : Promise.resolve();
    return this.enqueue<PoolTx>("tx", ready, (persist) =>
      chain.submitTx(stx, claimedId, {
        persist,
        ...(bytes ? { bytes } : {}),
        ...(toVerify ? { prepared: toVerify.prepared } : {}),
        ...(verdict === undefined ? {} : { signatureValid: verdict }),
      }),
    );
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
    const verdicts: (boolean | undefined)[] = [];
    const wanted = this.m.verifier ? chain.blockSignaturesToVerify(p) : [];
    const ready = Promise.all(
      wanted.map(({ index, signed }) =>
        this.verify(signed).then((v) => {
          verdicts[index] = v;
        }),
      ),
    ).then(() => undefined);
    return this.enqueue<BlockOutcome>("block", ready, () => chain.submitPrepared(p, certificate, verdicts));
  }

  /** The pool's verdict, or undefined (verified inline at commit) when the pool could not give one. */
  private verify(signed: SignedMessage): Promise<boolean | undefined> {
    return this.m.verifier!.verify(signed).catch((err: unknown) => {
      this.m.log?.warn({ err: (err as Error).message }, "verify pool failed: verifying inline");
      return undefined;
    });
  }

  private enqueue<T>(kind: Step["kind"], ready: Promise<void>, commit: Step["commit"]): Promise<T> {
    if (this.closed) return Promise.reject(stopping());
    return new Promise<T>((resolve, reject) => {
      const step: Step = {
        kind,
        ready,
        settled: false,
        commit,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      void ready.then(() => {
        step.settled = true;
      });
      this.steps.push(step);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.steps.length > 0) {
        const next = this.steps[0]!;
        await next.ready;
        // A pool thread answers each batch in its own message, and replies queued behind this
        // one are delivered in the next turn: waiting that one turn lets them join this commit.
        // bench:rest: 2.8 txs per mempool commit became 5.8, and POST /txs went from 0.38× to
        // 0.43× of the trivial route (medians of seven pairs; README "REST POST /txs").
        if (next.kind === "tx" && this.unsettledTxInGroupReach()) await new Promise((r) => setImmediate(r));
        if (this.closed) return;
        const head = this.steps.shift()!;
        if (head.kind === "block") {
          settle(head, () => head.commit(true));
          continue;
        }
        const group = [head];
        while (this.steps[0]?.kind === "tx" && this.steps[0].settled) group.push(this.steps.shift()!);
        this.commitTxs(group);
      }
    } finally {
      this.draining = false;
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
    const outcomes = group.map((step) => {
      try {
        return { ok: true as const, value: step.commit(false) };
      } catch (err) {
        return { ok: false as const, err };
      }
    });
    try {
      this.m.chain.flushMempool();
    } catch (err) {
      for (const step of group) step.reject(err);
      return;
    }
    outcomes.forEach((o, i) => {
      if (o.ok) group[i]!.resolve(o.value);
      else group[i]!.reject(o.err);
    });
  }
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
