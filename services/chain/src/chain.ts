import { type Block, decodeSignedTransaction, equalBytes, type SignedTransaction } from "@p2pnode/codec";
import { meetsTarget, type SignedMessage, transactionSignature } from "@p2pnode/crypto";
import {
  bodySignatures,
  type CheckedTx,
  checkAuthority,
  checkBody,
  checkPow,
  checkShieldedShape,
  checkSignature,
  genesisBlock,
  isShielded,
  type KnownTx,
  type PreparedBlock,
  prepareBlock,
  prepareTx,
} from "@p2pnode/rules";
import { type BlockVerdict, type ChainTip, consensusParams, type Genesis } from "@p2pnode/types";
import { Ancestry } from "./ancestry.js";
import { checkHeaderContext } from "./block-rules.js";
import { validatorSetFromGenesis } from "./consensus/validator-set.js";
import { ChainError, ChainFault, isPolicyRefusal, reject } from "./errors.js";
import { Finality } from "./finality/finality.js";
import { FinalityStore, type StoredCertificate } from "./finality/finality-store.js";
import { type CommitResult, ForkChoice } from "./fork-choice.js";
import { defaultMempoolOptions, Mempool, type MempoolOptions, type PoolTx, toPoolTx } from "./mempool.js";
import { MempoolStore } from "./mempool-store.js";
import { defaultRetargetOptions, type RetargetOptions } from "./retarget.js";
import { ShieldedPool } from "./shielded-pool.js";
import { ShieldedOverlay } from "./shielded-state.js";
import { type BlockMeta, type ChainStore, hex, unhex } from "./store.js";
import { workOf } from "./work.js";

export interface ChainOptions {
  /** How far ahead of our clock a block timestamp may be (honest clocks differ by seconds). */
  maxFutureDriftMs: number;
  /** Deepest reorg accepted; older forks are refused as FORK_TOO_DEEP (anti long-range spam). */
  maxReorgDepth: number;
  /** Mempool fee floor (policy, not consensus: blocks may carry fee-0 txs). */
  minFee: bigint;
  /** Largest retarget factor either way (×4/÷4 like Bitcoin). */
  maxRetargetFactor: number;
  /** Hashes of refused blocks remembered, so their descendants are refused cheaply. */
  invalidCacheSize: number;
  mempool: MempoolOptions;
}

export const defaultChainOptions: ChainOptions = {
  maxFutureDriftMs: 60_000,
  maxReorgDepth: 100,
  minFee: 1n,
  maxRetargetFactor: defaultRetargetOptions.maxFactor,
  invalidCacheSize: 10_000,
  mempool: defaultMempoolOptions,
};

export interface ChainModules {
  genesis: Genesis;
  store: ChainStore;
  /** Wall clock in ms (tests pass a fake one). */
  now?: () => number;
}

/** What a caller that verified signatures ahead (a VerifyPool) hands to submitTx. */
export interface TxSubmitOptions {
  /** verify()'s verdict on the tx's signature (crypto's transactionSignature); absent: verified inline. */
  signatureValid?: boolean;
  /** False: the pool change is written by a later flushMempool(), before anything is acknowledged. */
  persist?: boolean;
  /** The codec bytes the tx was decoded from (NATS): used as they are, not encoded again. */
  bytes?: Uint8Array;
  /** prepareTx's result for this same tx (admission made it to find the signature): not made again. */
  prepared?: CheckedTx;
}

export interface BlockOutcome {
  verdict: BlockVerdict;
  txCount: number;
  commit?: CommitResult;
  /**
   * What this call committed (absent for a `known` block): the block's stored bytes and the total
   * work of the chain ending at it, so announcing it needs no read back from the store.
   */
  committed?: { body: Uint8Array; totalWork: bigint };
  /** The certificate stored with the block (dolev-strong networks). */
  certificate?: StoredCertificate;
}

/**
 * The chain of one node: genesis, validation, fork choice, state and mempool over its store.
 * All methods are synchronous (SQLite, and signature checks not done ahead, run inline), so calls
 * never interleave: a submit sees the tip the previous one left. Admission (admission.ts) verifies
 * signatures on a VerifyPool first and hands the verdicts in, keeping that order.
 */
export class Chain {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  readonly store: ChainStore;
  readonly mempool: Mempool;
  /** Pending unsigned shielded txs, and the nullifier index of every pending shielded tx. */
  readonly shieldedPool: ShieldedPool;
  readonly ancestry: Ancestry;
  readonly retarget: RetargetOptions;
  readonly blockReward: bigint;
  /** Set in dolev-strong networks: certificates instead of proof of work, no reorgs. */
  readonly finality: Finality | undefined;
  private readonly forkChoice: ForkChoice;
  private readonly now: () => number;
  private readonly invalid = new Map<string, ChainError>();
  private readonly pool: MempoolStore;
  private tipMeta: BlockMeta;
  /** Blocks whose account writes and tx index rows were replayed on open (the process died between flushes). */
  readonly replayedBlocks: number;

  constructor(
    readonly o: ChainOptions,
    readonly m: ChainModules,
  ) {
    const g = m.genesis;
    this.chainId = g.chainId;
    this.store = m.store;
    this.now = m.now ?? Date.now;
    this.blockReward = BigInt(g.consensus.blockReward);
    this.retarget = {
      targetBlockTimeMs: g.consensus.targetBlockTimeMs,
      retargetWindow: g.consensus.retargetWindow,
      maxFactor: o.maxRetargetFactor,
    };
    this.ancestry = new Ancestry(this.store);
    this.forkChoice = new ForkChoice(
      { blockReward: this.blockReward, chainId: g.chainId },
      { store: this.store, ancestry: this.ancestry },
    );
    this.mempool = new Mempool(o.mempool, { accounts: this.store });
    this.finality =
      consensusParams(g).kind === "dolev-strong"
        ? new Finality(validatorSetFromGenesis(g), new FinalityStore(this.store.db))
        : undefined;
    this.shieldedPool = new ShieldedPool({ maxTxs: Math.max(1, Math.floor(o.mempool.maxTxs / 10)) });
    const gen = genesisBlock(g);
    this.genesisHash = gen.hash;
    this.tipMeta = this.open(gen.block);
    this.replayedBlocks = this.forkChoice.replayAboveFlush();
    this.pool = new MempoolStore(this.store);
    this.restoreMempool();
  }

  /**
   * Re-admits the persisted pool against the tip's state, as if each tx arrived again (signature,
   * fee, nonce, funds); what no longer fits (mined meanwhile, replaced, expired) is deleted.
   */
  private restoreMempool(): void {
    const stored = this.pool.all();
    const now = this.now();
    const pts: PoolTx[] = [];
    const rowOf = new Map<string, number>();
    for (const s of stored) {
      try {
        const t = prepareTx(decodeSignedTransaction(s.bytes), {
          chainId: this.chainId,
          minFee: this.o.minFee,
        });
        if (now - s.receivedAt >= this.o.mempool.ttlMs || rowOf.has(t.idHex)) continue;
        checkAuthority(t, this.chainId);
        rowOf.set(t.idHex, s.seq);
        pts.push(toPoolTx(t, s.receivedAt));
      } catch {
        // unreadable or no longer valid: deleted below
      }
    }
    pts.sort(
      (a, b) => (a.senderHex < b.senderHex ? -1 : a.senderHex > b.senderHex ? 1 : 0) || a.nonce - b.nonce,
    );
    for (const t of pts) {
      try {
        if (t.senderHex === "") this.readmitShielded(t);
        else {
          if (isShielded(t.stx)) this.checkShieldedState(t);
          this.mempool.add(t);
          this.shieldedPool.index(t);
        }
      } catch {
        // nonce taken by a block, no longer covered, nullifier spent, anchor too old: it stays out
      }
    }
    this.mempool.takeChanges();
    this.shieldedPool.takeChanges();
    for (const id of [...rowOf.keys()]) if (!this.isPending(id)) rowOf.delete(id);
    this.pool.adopt(stored, rowOf);
  }

  /**
   * Writes what the pool changed in one committed transaction: called before anything is
   * acknowledged. Ids whose rows are already gone (a block's transaction removed them) are skipped.
   */
  private persistMempool(): void {
    const m = this.mempool.takeChanges();
    const z = this.shieldedPool.takeChanges();
    const c = { put: [...m.put, ...z.put], del: [...m.del, ...z.del] };
    if (c.put.length === 0 && !c.del.some((id) => this.pool.holds(id))) return;
    this.pool.write(() => this.pool.apply(c));
  }

  /** Writes genesis into an empty store, or checks that the store belongs to this genesis. */
  private open(genesis: Block): BlockMeta {
    const { store } = this;
    const stored = store.getMeta("genesis");
    if (stored === undefined) {
      store.transaction(() => {
        const g = this.m.genesis;
        const p = prepareBlock(genesis, g.chainId);
        store.insertBlock(
          {
            hash: this.genesisHash,
            height: 0,
            prevHash: genesis.header.prevHash,
            headerBytes: p.headerBytes,
            txCount: 0,
            size: p.body.length,
            totalWork: workOf(genesis.header.target),
            status: "main",
            receivedAt: this.now(),
          },
          p.body,
        );
        for (const a of g.allocations)
          store.putAccount(unhex(a.address), { balance: BigInt(a.balance), nonce: 0 });
        store.setStatus(this.genesisHash, "main", []);
        store.setMain(0, this.genesisHash);
        store.setMeta("genesis", hex(this.genesisHash));
        store.setMeta("chainId", g.chainId);
        store.setMeta("tip", hex(this.genesisHash));
        store.flush(); // the allocations are no block's writes: a replay cannot redo them
      });
    } else if (stored !== hex(this.genesisHash)) {
      throw new ChainFault(
        "CONFIG_INVALID",
        `the chain store holds genesis ${stored}, but this node's network has ${hex(this.genesisHash)} (another genesis?)`,
      );
    }
    const tip = store.blockMeta(unhex(store.getMeta("tip") ?? ""));
    if (!tip || store.mainHeight() !== tip.height) {
      throw new ChainFault("INTERNAL", "chain store: tip pointer and main-chain index disagree");
    }
    return tip;
  }

  get tipBlock(): BlockMeta {
    return this.tipMeta;
  }

  tip(): ChainTip {
    const t = this.tipMeta;
    return {
      height: t.height,
      hash: hex(t.hash),
      totalWork: t.totalWork.toString(),
      timestamp: t.header.timestamp,
      chainId: this.chainId,
    };
  }

  /** Validates a transaction against the tip's state and admits it to the mempool. */
  submitTx(stx: SignedTransaction, claimedId?: string, o: TxSubmitOptions = {}): PoolTx {
    const t =
      o.prepared ?? prepareTx(stx, { chainId: this.chainId, minFee: this.o.minFee }, claimedId, o.bytes);
    if (this.isPending(t.idHex))
      throw reject("DUPLICATE", `transaction ${t.idHex} is already in the mempool`);
    if (isShielded(t.stx)) return this.submitShielded(t);
    // Cheap state checks before the signature, so replays cost a lookup and not a verify.
    const account = this.checkNonce(t);
    checkSignature(t, this.chainId, undefined, o.signatureValid);
    const pt = toPoolTx(t, this.now());
    this.mempool.add(pt, account ?? { balance: 0n, nonce: 0 });
    if (o.persist !== false) this.persistMempool();
    return pt;
  }

  /**
   * The signature submitTx would verify for this tx at the tip as it is now, or undefined when the
   * tx would be refused before (encoding, fee, duplicate, replayed nonce: a replay costs a lookup,
   * not a verify) or is shielded (its proof is checked inline). Never throws: submitTx decides.
   */
  signatureToVerify(
    stx: SignedTransaction,
    claimedId?: string,
    bytes?: Uint8Array,
  ): { signed: SignedMessage; prepared: CheckedTx } | undefined {
    try {
      const t = prepareTx(stx, { chainId: this.chainId, minFee: this.o.minFee }, claimedId, bytes);
      if (this.isPending(t.idHex) || isShielded(t.stx)) return undefined;
      this.checkNonce(t);
      const signed = transactionSignature(t.stx, this.chainId, t.bytes);
      return signed && { signed, prepared: t };
    } catch {
      return undefined;
    }
  }

  /** Writes the pool changes of submitTx calls made with `persist: false` (one commit for all). */
  flushMempool(): void {
    this.persistMempool();
  }

  isPending(idHex: string): boolean {
    return this.mempool.has(idHex) || this.shieldedPool.has(idHex);
  }

  private checkNonce(t: CheckedTx) {
    const account = this.store.account(t.sender);
    const tx = t.stx.tx;
    if ((tx.kind === "transfer" || tx.kind === "shield") && tx.nonce < (account?.nonce ?? 0)) {
      // `expected` as the mempool gives it: a client whose earlier send got through without its
      // answer learns the nonce is taken and moves on.
      throw reject(
        "BAD_NONCE",
        `nonce ${tx.nonce} already used (replay): account nonce is ${account?.nonce}`,
        { expected: account?.nonce ?? 0 },
      );
    }
    return account;
  }

  /**
   * A shielded tx: the state rules first (recent anchor, unspent nullifiers on the chain and in
   * the pools, enough value in the shielded pool), so a replay costs lookups and not the ~12 ms
   * proof verification; then signature (shield) and proof. Shields queue with their sender.
   */
  private submitShielded(t: CheckedTx): PoolTx {
    if (!isShielded(t.stx)) throw new ChainFault("INTERNAL", "submitShielded: not a shielded tx");
    const tx = t.stx.tx;
    const account = tx.kind === "shield" ? this.checkNonce(t) : undefined;
    checkShieldedShape(tx, this.chainId);
    new ShieldedOverlay(this.store).apply(tx);
    const pt = toPoolTx(t, this.now());
    this.shieldedPool.checkConflicts(pt, (id) => this.isPending(id));
    checkAuthority(t, this.chainId);
    if (tx.kind === "shield") this.mempool.add(pt, account ?? { balance: 0n, nonce: 0 });
    else this.shieldedPool.add(pt);
    this.shieldedPool.index(pt);
    this.persistMempool();
    return pt;
  }

  /** The state rules of a pending shielded tx against the tip and the other pending ones. */
  private checkShieldedState(t: PoolTx): void {
    this.shieldedPool.checkConflicts(t, (id) => this.isPending(id));
    if (isShielded(t.stx)) new ShieldedOverlay(this.store).apply(t.stx.tx);
  }

  /** An unsigned shielded tx (already verified) back into the pool, if it still applies. */
  private readmitShielded(t: PoolTx): void {
    this.checkShieldedState(t);
    this.shieldedPool.add(t);
  }

  /**
   * Validates a block and commits it in one transaction (extending, as a side branch, or by a
   * reorg). Returns only after COMMIT; throws a ChainError, with nothing changed, when refused.
   * In a dolev-strong network the block needs its commit `certificate` (codec bytes) instead of
   * proof of work, must extend the tip (every stored block is final), and is stored with it.
   */
  submitBlock(block: Block, claimedHash?: string, certificate?: Uint8Array): BlockOutcome {
    return this.submitPrepared(
      prepareBlock(block, this.chainId, claimedHash, undefined, this.knownTx),
      certificate,
    );
  }

  /** The pending txs (either pool): prepareBlock reuses what admission derived from their bytes. */
  readonly knownTx: KnownTx = {
    byId: (idHex) => this.mempool.get(idHex) ?? this.shieldedPool.get(idHex),
    byBytes: (bytes, stx) => this.mempool.withBytes(bytes, stx),
  };

  /**
   * The signatures submitPrepared would verify for this block now (txs not in the mempool), by
   * tx index; none for a block it would answer or refuse before looking at the body (known,
   * refused before, proof of work not met), so junk costs no verify.
   */
  blockSignaturesToVerify(p: PreparedBlock): { index: number; signed: SignedMessage }[] {
    const known = this.store.blockMeta(p.hash);
    if (known || this.invalid.has(p.hashHex)) return [];
    if (!this.finality && !meetsTarget(p.hash, p.block.header.target)) return [];
    return bodySignatures(p, this.chainId, (id) => this.isPending(id));
  }

  /**
   * submitBlock of a prepared block. `verdicts[i]`: tx i's signature verdict when verified ahead
   * (blockSignaturesToVerify on a VerifyPool); the other txs are verified inline as before.
   */
  submitPrepared(
    p: PreparedBlock,
    certificate?: Uint8Array,
    verdicts: readonly (boolean | undefined)[] = [],
  ): BlockOutcome {
    const { block } = p;
    const h = block.header;
    const known = this.store.blockMeta(p.hash);
    if (known && known.status !== "invalid") {
      return { verdict: { hash: p.hashHex, height: known.height, status: "known" }, txCount: known.txCount };
    }
    const refused = this.invalid.get(p.hashHex);
    if (refused) throw refused;
    if (known) throw reject("INVALID_ANCESTOR", `block ${p.hashHex} was found invalid before`);
    if (h.height === 0)
      throw reject("WRONG_CHAIN", `a genesis block other than this chain's (${hex(this.genesisHash)})`);
    const cert = this.finality?.check(p.hash, h.height, h.prevHash, certificate);
    if (!this.finality) checkPow(h, p.hash);
    const tip = this.tipMeta;
    const parent = this.store.blockMeta(h.prevHash);
    if (!parent) {
      if (this.invalid.has(hex(h.prevHash)))
        throw this.remember(p.hashHex, reject("INVALID_ANCESTOR", "parent is invalid"));
      if (h.height > tip.height + 1) {
        throw reject("MISSED_BLOCK", `block ${h.height} leaves a gap: the tip is at ${tip.height}`, {
          tipHeight: tip.height,
        });
      }
      throw reject("PREV_HASH_MISMATCH", `previous hash ${hex(h.prevHash)} is not a known block`, {
        tip: hex(tip.hash),
      });
    }
    if (parent.status === "invalid")
      throw this.remember(p.hashHex, reject("INVALID_ANCESTOR", "parent is invalid"));
    if (this.finality && !equalBytes(parent.hash, tip.hash)) {
      throw reject(
        "CONFLICTS_WITH_FINAL",
        `block ${h.height} does not extend the final tip ${hex(tip.hash)}`,
        {
          tipHeight: tip.height,
        },
      );
    }
    try {
      this.checkContext(p.block, parent, tip);
      checkBody(p, this.chainId, (id) => this.isPending(id), verdicts);
    } catch (err) {
      // A policy refusal (a fork below the reorg limit) is not a fault of the block: it is not
      // remembered as invalid, so its descendants are not "INVALID_ANCESTOR" (which bans the
      // peers relaying them) but simply unconnected, and asking again gets the same answer.
      if (err instanceof ChainError && !isPolicyRefusal(err)) throw this.remember(p.hashHex, err);
      throw err;
    }
    let commit: CommitResult;
    // The pool rows of the txs this block mines go in the block's own transaction (one fsync, and
    // never a mined tx left in the stored pool); the in-memory pool follows after COMMIT.
    try {
      commit = this.pool.write(() => {
        const c = this.forkChoice.commit(p, parent, tip, this.now());
        if (cert) this.finality!.store.putCertificate(p.hash, cert);
        if (c.status === "connected") this.pool.deleteIds(c.connected[0]!.txs.map((t) => t.idHex));
        return c;
      });
    } catch (err) {
      if (err instanceof ChainError) this.refuseBranch(p.hashHex, err);
      throw err;
    }
    this.tipMeta = commit.tip;
    this.updateMempool(commit);
    this.persistMempool();
    return {
      verdict: { hash: p.hashHex, height: h.height, status: commit.status },
      txCount: p.txs.length,
      commit,
      committed: { body: p.body, totalWork: commit.meta.totalWork },
      ...(cert ? { certificate: cert } : {}),
    };
  }

  private checkContext(block: Block, parent: BlockMeta, tip: BlockMeta): void {
    checkHeaderContext(
      block.header,
      {
        parentHeight: parent.height,
        expectedTarget: this.ancestry.targetAfter(parent, this.retarget),
        medianTimePast: this.ancestry.medianTimePast(parent),
        now: this.now(),
      },
      { chainId: this.chainId, maxFutureDriftMs: this.o.maxFutureDriftMs },
    );
    if (!equalBytes(parent.hash, tip.hash)) {
      const { fork } = this.ancestry.forkPoint(parent);
      const depth = tip.height - fork.height;
      if (depth > this.o.maxReorgDepth) {
        throw reject("FORK_TOO_DEEP", `fork ${depth} blocks below the tip, limit ${this.o.maxReorgDepth}`, {
          forkHeight: fork.height,
        });
      }
    }
  }

  /** A branch failed while being connected: remember the block, and mark a stored culprit invalid. */
  private refuseBranch(hashHex: string, err: ChainError): void {
    this.remember(hashHex, err);
    const culprit = (err.details as { block?: string } | undefined)?.block;
    if (culprit && culprit !== hashHex) {
      this.store.transaction(() => {
        const stack = [unhex(culprit)];
        while (stack.length > 0) {
          const h = stack.pop()!;
          this.store.setStatus(h, "invalid");
          stack.push(...this.store.children(h));
        }
      });
    }
  }

  private remember(hashHex: string, err: ChainError): ChainError {
    if (this.invalid.size >= this.o.invalidCacheSize) this.invalid.delete(this.invalid.keys().next().value!);
    this.invalid.set(hashHex, err);
    return err;
  }

  private updateMempool(c: CommitResult): void {
    if (c.status === "side") return;
    if (c.status === "connected") {
      const block = c.connected[0]!;
      const senders = this.mempool.remove(block.txs.map((t) => t.idHex));
      for (const t of block.txs) senders.add(t.senderHex);
      this.mempool.revalidate(senders, this.now());
      this.shieldedPool.remove(block.txs.map((t) => t.idHex));
      if (block.txs.some((t) => isShielded(t.stx))) this.revalidateShielded();
      return;
    }
    // Reorg: txs of the losing branch come back when still valid on the new one, before what
    // was pending (they are older); re-admission checks nonces and funds against the new tip.
    const now = this.now();
    const back = c.disconnected.toReversed().flatMap((b) => b.txs.map((t) => toPoolTx(t, now)));
    const pending = this.mempool.drain();
    const unsigned = [...back.filter((t) => t.senderHex === ""), ...this.shieldedPool.drain()];
    const all = [...back.filter((t) => t.senderHex !== ""), ...pending].sort(
      (a, b) => (a.senderHex < b.senderHex ? -1 : a.senderHex > b.senderHex ? 1 : 0) || a.nonce - b.nonce,
    );
    for (const t of all) {
      try {
        this.mempool.add(t);
        this.shieldedPool.index(t);
      } catch {
        // mined on the new branch, nonce taken, or no longer covered: it stays out
      }
    }
    // Unsigned shielded txs come back when their anchor, nullifiers and value still hold.
    for (const t of unsigned) {
      try {
        this.readmitShielded(t);
      } catch {
        // spent on the new branch, or its anchor is not a recent root there: it stays out
      }
    }
    this.revalidateShielded();
  }

  /** Drops pending shielded txs that the tip made unusable (nullifier spent, anchor out of the window). */
  private revalidateShielded(): void {
    const overlay = new ShieldedOverlay(this.store);
    this.shieldedPool.revalidate((t) => {
      if (!isShielded(t.stx)) return false;
      try {
        overlay.apply(t.stx.tx);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Drops mempool txs past their TTL (called periodically by the service). */
  expireMempool(): number {
    const dropped = this.mempool.revalidate(undefined, this.now()).length;
    this.persistMempool();
    return dropped;
  }

  get clock(): () => number {
    return this.now;
  }
}
