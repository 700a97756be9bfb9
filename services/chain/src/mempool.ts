import { hasSigner, type SignedTransaction, signatureAt } from "@p2pnode/codec";
import type { CheckedTx } from "@p2pnode/rules";
import { BytesMap } from "./bytes-map.js";
import { reject } from "./errors.js";
import { Heap } from "./heap.js";
import type { AccountReader } from "./state.js";
import type { Account } from "./store.js";

/** A verified transaction waiting for a block. */
export interface PoolTx extends CheckedTx {
  fee: bigint;
  /** amount + fee: what the sender's balance must cover. */
  cost: bigint;
  nonce: number;
  size: number;
  receivedAt: number;
}

export function toPoolTx(t: CheckedTx, receivedAt: number): PoolTx {
  const { tx } = t.stx;
  // The unsigned shielded kinds cost no account anything (their fee leaves the shielded pool).
  const amount = tx.kind === "transfer" || tx.kind === "shield" ? tx.amount : 0n;
  const nonce = tx.kind === "transfer" || tx.kind === "shield" ? tx.nonce : 0;
  const cost = tx.kind === "transfer" || tx.kind === "shield" ? tx.fee + amount : 0n;
  // Fields named, not spread: the spread cost ~5 µs per admitted tx (profile of bench:admission).
  return {
    stx: t.stx,
    bytes: t.bytes,
    id: t.id,
    idHex: t.idHex,
    sender: t.sender,
    senderHex: t.senderHex,
    fee: tx.fee,
    cost,
    nonce,
    size: t.bytes.length,
    receivedAt,
  };
}

export interface MempoolOptions {
  /** Most transactions held; past it a better-paying tx evicts the worst one. */
  maxTxs: number;
  /** Most encoded bytes held (~20,000 transfers at 4 MiB). */
  maxBytes: number;
  /** Most pending txs per sender: one key cannot fill the pool alone. */
  maxPerSender: number;
  /** A replacement (same sender and nonce) must pay at least this much more, in percent (geth: 10). */
  replaceBumpPercent: number;
  /** A tx not mined after this long is dropped with the later txs of its sender (geth: 3 h). */
  ttlMs: number;
}

export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 5_000,
  maxBytes: 4 * 1024 * 1024,
  maxPerSender: 64,
  replaceBumpPercent: 10,
  ttlMs: 3 * 60 * 60 * 1000,
};

/** Fee per byte, compared exactly with bigints: a before b when a pays more per byte. */
export const paysMore = (a: PoolTx, b: PoolTx): boolean => a.fee * BigInt(b.size) > b.fee * BigInt(a.size);

const NO_ACCOUNT = { balance: 0n, nonce: 0 };
const NO_VICTIMS: readonly PoolTx[] = Object.freeze([]);

/**
 * Transactions waiting for a block. Invariant: each sender's queue holds consecutive nonces
 * starting at the account's nonce, and the balance covers the queue's total cost, so any prefix
 * of a queue applies to the tip's state. Blocks take txs by fee per byte, queue heads first.
 */
export class Mempool {
  private readonly byId = new Map<string, PoolTx>();
  /**
   * The signed txs by their signature: how a block's txs are matched to the pool from their
   * bytes, without hashing them for their ids (withBytes). Two txs with one signature (only the
   * same tx could have it): the first is kept, the other found by id at the cost of its hash.
   */
  private readonly bySignature = new BytesMap<PoolTx>();
  private readonly bySender = new Map<string, PoolTx[]>();
  private totalBytes = 0;
  private sorted: PoolTx[] | undefined;
  /** Bumped on every change; part of the template id. */
  revision = 0;
  /** What changed since the last `takeChanges()`: the store persists it (mempool-store.ts). */
  private changes = { put: new Map<string, PoolTx>(), del: new Set<string>() };

  constructor(
    private readonly o: MempoolOptions,
    private readonly m: { accounts: AccountReader },
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(idHex: string): boolean {
    return this.byId.has(idHex);
  }

  get(idHex: string): PoolTx | undefined {
    return this.byId.get(idHex);
  }

  /**
   * The pooled tx whose canonical encoding is exactly `bytes` (so whose id is their hash), found
   * without hashing them: by the signature (`stx`'s when the caller decoded them, else the one
   * framed at their end, codec's signatureIn), then the whole encoding compared. Undefined when
   * none is (an unsigned shielded tx is never found here).
   */
  withBytes(bytes: Uint8Array, stx?: SignedTransaction): PoolTx | undefined {
    let t: PoolTx | undefined;
    if (stx) t = hasSigner(stx.tx.kind) ? this.bySignature.get(stx.signature) : undefined;
    else {
      const at = signatureAt(bytes);
      t = at === undefined ? undefined : this.bySignature.getSuffix(bytes, at);
    }
    return t && Buffer.compare(t.bytes, bytes) === 0 ? t : undefined;
  }

  queueOf(senderHex: string): readonly PoolTx[] {
    return this.bySender.get(senderHex) ?? [];
  }

  /** Admits `t` (already verified) or throws the reason; returns what it replaced or evicted. */
  add(t: PoolTx, known?: Account): { replaced: PoolTx | undefined; evicted: readonly PoolTx[] } {
    if (this.byId.has(t.idHex)) throw reject("DUPLICATE", `transaction ${t.idHex} is already in the mempool`);
    // `known`: the caller just read the sender's account (admission does), saving a query.
    const account = known ?? this.m.accounts.account(t.sender) ?? NO_ACCOUNT;
    const queue = this.bySender.get(t.senderHex) ?? [];
    if (t.nonce < account.nonce) {
      throw reject("BAD_NONCE", `nonce ${t.nonce} already used (replay): account nonce is ${account.nonce}`, {
        expected: account.nonce,
      });
    }
    const pos = t.nonce - account.nonce;
    if (pos > queue.length) {
      throw reject("BAD_NONCE", `nonce ${t.nonce} leaves a gap: next is ${account.nonce + queue.length}`, {
        expected: account.nonce + queue.length,
      });
    }
    const replaced = queue[pos];
    if (replaced) {
      const bump = BigInt(100 + this.o.replaceBumpPercent);
      if (t.fee * 100n < replaced.fee * bump || t.fee <= replaced.fee) {
        throw reject(
          "FEE_TOO_LOW",
          `replacing nonce ${t.nonce} needs a fee ${this.o.replaceBumpPercent}% above ${replaced.fee}`,
        );
      }
    } else if (queue.length >= this.o.maxPerSender) {
      throw reject(
        "MEMPOOL_FULL",
        `sender has ${queue.length} pending transactions, limit ${this.o.maxPerSender}`,
      );
    }
    let total = t.cost;
    for (let i = 0; i < queue.length; i++) if (i !== pos) total += queue[i]!.cost;
    if (total > account.balance) {
      throw reject("INSUFFICIENT_FUNDS", `balance ${account.balance} does not cover pending cost ${total}`, {
        balance: account.balance.toString(),
        pendingCost: total.toString(),
      });
    }
    const evicted = this.victimsFor(t, replaced);
    for (const v of evicted) this.dropTail(v);
    if (replaced) this.forget(replaced);
    queue[pos] = t;
    if (queue.length === 1) this.bySender.set(t.senderHex, queue);
    this.byId.set(t.idHex, t);
    if (hasSigner(t.stx.tx.kind) && !this.bySignature.has(t.stx.signature))
      this.bySignature.set(t.stx.signature, t);
    this.totalBytes += t.size;
    this.changes.put.set(t.idHex, t);
    this.changed();
    return { replaced, evicted };
  }

  /**
   * Who leaves so that `t` fits: the lowest-paying queue tails of other senders, only while each
   * pays less per byte than `t`. Chosen before anything changes, so a refusal changes nothing.
   */
  private victimsFor(t: PoolTx, replaced: PoolTx | undefined): readonly PoolTx[] {
    let count = this.byId.size + (replaced ? 0 : 1);
    let bytes = this.totalBytes + t.size - (replaced?.size ?? 0);
    if (count <= this.o.maxTxs && bytes <= this.o.maxBytes) return NO_VICTIMS; // no allocation per admitted tx
    const trimmed = new Map<string, number>();
    const victims: PoolTx[] = [];
    while (count > this.o.maxTxs || bytes > this.o.maxBytes) {
      let worst: PoolTx | undefined;
      for (const [sender, queue] of this.bySender) {
        if (sender === t.senderHex) continue;
        const tail = queue[queue.length - 1 - (trimmed.get(sender) ?? 0)];
        if (tail && (!worst || paysMore(worst, tail))) worst = tail;
      }
      if (!worst || !paysMore(t, worst)) {
        throw reject("MEMPOOL_FULL", `mempool is full (${this.byId.size} txs, ${this.totalBytes} bytes)`);
      }
      trimmed.set(worst.senderHex, (trimmed.get(worst.senderHex) ?? 0) + 1);
      victims.push(worst);
      count--;
      bytes -= worst.size;
    }
    return victims;
  }

  private dropTail(t: PoolTx): void {
    const queue = this.bySender.get(t.senderHex)!;
    queue.pop();
    if (queue.length === 0) this.bySender.delete(t.senderHex);
    this.forget(t);
  }

  private forget(t: PoolTx): void {
    this.byId.delete(t.idHex);
    if (hasSigner(t.stx.tx.kind) && this.bySignature.get(t.stx.signature) === t)
      this.bySignature.delete(t.stx.signature);
    this.totalBytes -= t.size;
    this.changes.put.delete(t.idHex);
    this.changes.del.add(t.idHex);
  }

  /**
   * Ids removed and txs added since the last call; applying the deletes, then the puts, brings a
   * persisted copy level with the pool (a tx dropped and re-added in between is in both).
   */
  takeChanges(): { put: PoolTx[]; del: string[] } {
    const c = this.changes;
    this.changes = { put: new Map(), del: new Set() };
    return { put: [...c.put.values()], del: [...c.del] };
  }

  /** Ids of txs that have waited at least `minAgeMs`, oldest first (for reconciliation). */
  inventory(now: number, minAgeMs = 0, max = Number.POSITIVE_INFINITY): string[] {
    const old = [...this.byId.values()].filter((t) => now - t.receivedAt >= minAgeMs);
    old.sort((a, b) => a.receivedAt - b.receivedAt);
    return old.slice(0, max).map((t) => t.idHex);
  }

  private changed(): void {
    this.revision++;
    this.sorted = undefined;
  }

  /**
   * Drops txs that a new block made unusable (nonce taken, no longer covered) or that waited past
   * their TTL; a dropped tx takes its sender's later txs with it, since they depend on it.
   */
  revalidate(senders: Iterable<string> = [...this.bySender.keys()], now?: number): PoolTx[] {
    const dropped: PoolTx[] = [];
    for (const sender of [...senders]) {
      const queue = this.bySender.get(sender);
      if (!queue) continue;
      const account = this.m.accounts.account(queue[0]!.sender) ?? NO_ACCOUNT;
      const keep: PoolTx[] = [];
      let spent = 0n;
      let broken = false;
      for (const t of queue) {
        const expired = now !== undefined && t.receivedAt + this.o.ttlMs <= now;
        broken ||=
          t.nonce >= account.nonce &&
          (t.nonce !== account.nonce + keep.length || spent + t.cost > account.balance || expired);
        if (broken || t.nonce < account.nonce) {
          dropped.push(t);
          this.forget(t);
          continue;
        }
        keep.push(t);
        spent += t.cost;
      }
      if (keep.length === 0) this.bySender.delete(sender);
      else this.bySender.set(sender, keep);
    }
    if (dropped.length > 0) this.changed();
    return dropped;
  }

  /** Removes txs (mined in a block) without checks; `revalidate` then fixes their senders' queues. */
  remove(idHexes: Iterable<string>): Set<string> {
    const senders = new Set<string>();
    for (const id of idHexes) {
      const t = this.byId.get(id);
      if (!t) continue;
      senders.add(t.senderHex);
      const queue = this.bySender.get(t.senderHex)!;
      queue.splice(queue.indexOf(t), 1);
      if (queue.length === 0) this.bySender.delete(t.senderHex);
      this.forget(t);
    }
    if (senders.size > 0) this.changed();
    return senders;
  }

  /** Empties the pool and returns every tx (a reorg re-admits them against the new state). */
  drain(): PoolTx[] {
    const all = [...this.byId.values()];
    for (const t of all) {
      this.changes.put.delete(t.idHex);
      this.changes.del.add(t.idHex);
    }
    this.byId.clear();
    this.bySignature.clear();
    this.bySender.clear();
    this.totalBytes = 0;
    this.changed();
    return all;
  }

  /**
   * What a block should carry: queue heads by fee per byte, each sender's txs in nonce order,
   * within the limits. `fits` may refuse a tx (the template double-checks against state); a
   * refused tx ends its sender's run, since the later nonces depend on it.
   */
  select(maxTxs: number, maxBytes: number, fits: (t: PoolTx) => boolean = () => true): PoolTx[] {
    const heap = new Heap<{ queue: PoolTx[]; i: number }>((a, b) => paysMore(a.queue[a.i]!, b.queue[b.i]!));
    for (const queue of this.bySender.values()) heap.push({ queue, i: 0 });
    const out: PoolTx[] = [];
    let bytes = 0;
    while (out.length < maxTxs && heap.size > 0) {
      const head = heap.pop()!;
      const t = head.queue[head.i]!;
      if (bytes + t.size > maxBytes || !fits(t)) continue;
      out.push(t);
      bytes += t.size;
      if (head.i + 1 < head.queue.length) heap.push({ queue: head.queue, i: head.i + 1 });
    }
    return out;
  }

  /** A page of the pool by fee per byte, best first. */
  page(offset: number, limit: number): PoolTx[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => (paysMore(a, b) ? -1 : paysMore(b, a) ? 1 : 0));
    return this.sorted.slice(offset, offset + limit);
  }
}
