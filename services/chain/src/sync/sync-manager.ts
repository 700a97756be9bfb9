import {
  type Block,
  type BlockHeader,
  decodeBlock,
  HEADER_SIZE,
  headerFromJson,
  toHex,
} from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import type { BlockHeaderJson } from "@p2pnode/types";
import type { Chain } from "../chain.js";
import { ChainError, isPolicyRefusal, reject } from "../errors.js";
import type { ChainIntake } from "../intake.js";
import { HeaderChain } from "./header-chain.js";
import { blockLocator } from "./locator.js";

/** A connected peer as the gateway sees it. */
export interface SyncPeer {
  id: string;
  totalWork: bigint;
  height: number;
  latencyMs: number | null;
}

/** What sync needs from the network (the gateway over NATS in the service; a simulation in tests). */
export interface SyncNetwork {
  peers(): Promise<SyncPeer[]>;
  headers(peer: string, locator: string[], max: number): Promise<BlockHeaderJson[]>;
  /** The blocks the peer sent, as codec bytes in the order asked (a withheld one is missing). */
  blocks(peer: string, hashes: string[]): Promise<Uint8Array[]>;
  /** Tell the gateway a peer misbehaved (feeds its score; enough of it bans). */
  penalize(peer: string, reason: string): void;
}

export interface SyncOptions {
  /** Headers asked per round trip (the serving side caps it at 2,000). */
  headersPerRequest: number;
  /** Bodies per request. */
  blocksPerRequest: number;
  /** Requests in flight at once, across peers: the download window is this × blocksPerRequest. */
  maxInFlight: number;
  /** A request unanswered this long is a stall: the peer is penalised and the work reassigned. */
  stallMs: number;
}

export const defaultSyncOptions: SyncOptions = {
  headersPerRequest: 2_000,
  blocksPerRequest: 16,
  maxInFlight: 8,
  // Heavy blocks from a peer whose CPU is shared (a devnet on 2 cores) took > 10 s per 16.
  stallMs: 30_000,
};

export type SyncState = "idle" | "headers" | "blocks";

export interface SyncProgress {
  state: SyncState;
  height: number;
  bestKnownHeight: number;
  blocksPerSecond: number;
  peer: string | null;
}

/**
 * Initial sync and catch-up, headers first: pick the peer with the most work (lowest latency
 * among equals), fetch and check its headers from where our chains meet, then download the bodies
 * from every peer that has them, a bounded window at a time, and apply them in order. A peer that
 * sends bad headers or blocks, or stalls, is penalised and left out for the rest of the round.
 */
export class SyncManager {
  private state: SyncState = "idle";
  private running: Promise<void> | undefined;
  private peer: string | null = null;
  private bestKnownHeight = 0;
  private rate = { since: 0, blocks: 0 };
  /** Latched by the first round that ended level with a connected peer (see `caughtUp`). */
  private levelWithPeer = false;
  /** Set on shutdown: answers still in flight are dropped, never applied to a closing store. */
  private stopped = false;

  constructor(
    private readonly o: SyncOptions,
    private readonly m: {
      chain: Chain;
      /** Where bodies are applied: the chain's one intake path, so events and metrics see them. */
      intake: Pick<ChainIntake, "applyBlock">;
      net: SyncNetwork;
      log?: { warn(o: object, msg: string): void };
    },
  ) {}

  progress(): SyncProgress {
    const secs = (Date.now() - this.rate.since) / 1000;
    return {
      state: this.state,
      height: this.m.chain.tipBlock.height,
      bestKnownHeight: Math.max(this.bestKnownHeight, this.m.chain.tipBlock.height),
      blocksPerSecond: this.state === "blocks" && secs > 0 ? this.rate.blocks / secs : 0,
      peer: this.peer,
    };
  }

  get syncing(): boolean {
    return this.state !== "idle";
  }

  /**
   * True once a round has ended with at least one peer connected and none of them ahead of us:
   * the node has seen the network's chain at least once. Stays true (a later peer with more work
   * starts a catch-up round, it does not make the node new again).
   */
  get caughtUp(): boolean {
    return this.levelWithPeer;
  }

  /** Stops applying anything; a round in flight ends at its next answer. */
  stop(): void {
    this.stopped = true;
  }

  /** Runs one sync round unless one is running; resolves when we are at the best peer's work. */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.round().finally(() => {
      this.running = undefined;
      this.state = "idle";
      this.peer = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const excluded = new Set<string>();
    for (;;) {
      const connected = await this.m.net.peers();
      const peers = connected.filter((p) => !excluded.has(p.id));
      if (this.stopped) return;
      const best = pickBest(peers, this.m.chain.tipBlock.totalWork);
      if (!best) {
        if (connected.length > 0) this.levelWithPeer = true;
        return;
      }
      this.bestKnownHeight = Math.max(this.bestKnownHeight, best.height);
      this.peer = best.id;
      const ok = await this.syncFrom(best, peers, excluded);
      if (!ok) excluded.add(best.id);
    }
  }

  /** Headers from `best`, bodies from all; false when `best` misbehaved and another must be tried. */
  private async syncFrom(best: SyncPeer, peers: SyncPeer[], excluded: Set<string>): Promise<boolean> {
    const { chain, net } = this.m;
    const headers = new HeaderChain(chain);
    this.state = "headers";
    let locator = blockLocator(chain);
    for (;;) {
      let batch: BlockHeader[];
      try {
        const json = await withTimeout(
          net.headers(best.id, locator, this.o.headersPerRequest),
          this.o.stallMs,
        );
        if (this.stopped) return true;
        batch = json.map(headerFromJson);
        headers.append(batch);
      } catch (err) {
        this.blame(
          best.id,
          err instanceof ChainError ? `bad headers: ${err.code}` : "headers request failed",
          err,
        );
        return false;
      }
      if (batch.length < this.o.headersPerRequest) break;
      locator = [headers.lastHashHex!, ...locator];
    }
    if (headers.totalWork <= chain.tipBlock.totalWork) {
      // Nothing to fetch. Relay may have brought the same blocks while the headers were on the
      // way, which is not the peer's fault (two such blames banned an honest miner for a day).
      // A peer whose chain only grows sends headers with at least the work it announced before.
      if (headers.totalWork >= best.totalWork) return true;
      this.blame(best.id, "announced more work than its headers carry");
      return false;
    }
    this.bestKnownHeight = Math.max(this.bestKnownHeight, headers.tipHeight);
    this.state = "blocks";
    this.rate = { since: Date.now(), blocks: 0 };
    const sources = peers.filter((p) => !excluded.has(p.id));
    return this.downloadBodies(headers, sources, excluded);
  }

  /** Fetches bodies in a sliding window over several peers and applies them strictly in order. */
  private async downloadBodies(
    headers: HeaderChain,
    sources: SyncPeer[],
    excluded: Set<string>,
  ): Promise<boolean> {
    const hashes = headers.headers.map((h) => ({ hash: h.hashHex, height: h.header.height }));
    const got = new Map<string, { block: Uint8Array; from: string }>();
    let next = 0; // index of the next block to apply
    let queued = 0; // index of the next block to request
    const inFlight = new Set<Promise<void>>();
    let rr = 0;
    const retry: number[] = [];

    const request = (start: number, count: number): void => {
      const slice = hashes.slice(start, start + count);
      const able = sources.filter((p) => !excluded.has(p.id) && p.height >= slice.at(-1)!.height);
      if (able.length === 0) return;
      able.sort((a, b) => (a.latencyMs ?? 1e9) - (b.latencyMs ?? 1e9));
      const peer = able[rr++ % able.length]!;
      const job = withTimeout(
        this.m.net.blocks(
          peer.id,
          slice.map((s) => s.hash),
        ),
        this.o.stallMs,
      )
        .then((blocks) => {
          const byHash = new Map(blocks.map((b) => [hashOfBytes(b), b]));
          for (const s of slice) {
            const b = byHash.get(s.hash);
            if (b) got.set(s.hash, { block: b, from: peer.id });
          }
          if (slice.some((s) => !got.has(s.hash))) throw new TypeError("withheld or wrong blocks");
        })
        .catch((err: unknown) => {
          // Its other requests in flight fail the same way: one penalty per peer per round.
          if (!excluded.has(peer.id)) this.blame(peer.id, "block request stalled or failed", err);
          excluded.add(peer.id);
          retry.push(start);
        })
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    };

    while (next < hashes.length) {
      while (retry.length > 0 && inFlight.size < this.o.maxInFlight)
        request(retry.shift()!, this.o.blocksPerRequest);
      while (queued < hashes.length && inFlight.size < this.o.maxInFlight && queued - next < this.window) {
        request(queued, this.o.blocksPerRequest);
        queued += this.o.blocksPerRequest;
      }
      if (inFlight.size === 0 && !got.has(hashes[next]!.hash)) return false; // no peer can serve
      if (inFlight.size > 0) await Promise.race(inFlight);
      if (this.stopped) return true;
      // Every body that is here goes to admission at once (their signatures verified as one
      // batch), then each verdict is taken in order.
      const applying: { from: string; done: Promise<unknown> }[] = [];
      for (let i = next; i < hashes.length && got.has(hashes[i]!.hash); i++) {
        const { block, from } = got.get(hashes[i]!.hash)!;
        got.delete(hashes[i]!.hash);
        const done = this.apply(block, hashes[i]!.hash);
        done.catch(() => undefined); // awaited below; a later one is moot once an earlier one failed
        applying.push({ from, done });
      }
      for (const { from, done } of applying) {
        try {
          await done;
        } catch (err) {
          if (this.stopped) return true; // refused because the service is stopping, not the peer's fault
          if (isPolicyRefusal(err)) {
            // The peer's chain is valid as far as we know; our policy (the reorg limit) keeps us off it.
            this.m.log?.warn(
              { peer: from, err: err.message },
              "sync: peer's chain is refused by this node's policy (reorg limit)",
            );
            excluded.add(from);
            return false;
          }
          // The header was valid, so the body is what was wrong: the sender lied, the branch is dead.
          this.blame(from, `invalid block ${hashes[next]!.height}`, err);
          excluded.add(from);
          return false;
        }
        next++;
        this.rate.blocks++;
      }
    }
    return true;
  }

  /**
   * One body through the chain's intake (decoded here: bytes that do not decode are the peer's
   * fault); the bytes go along and are stored as they are (the codec takes only canonical ones).
   */
  private async apply(bytes: Uint8Array, hash: string): Promise<unknown> {
    return this.m.intake.applyBlock(decodeSyncBlock(bytes), hash, "sync", bytes);
  }

  private get window(): number {
    return this.o.maxInFlight * this.o.blocksPerRequest;
  }

  private blame(peer: string, reason: string, err?: unknown): void {
    this.m.net.penalize(peer, reason);
    this.m.log?.warn(
      { peer, reason, err: err instanceof Error ? err.message : undefined },
      "sync: peer penalised",
    );
  }
}

/** Most work above ours; among equals, the lowest latency (the seeds' latency graph). */
export function pickBest(peers: readonly SyncPeer[], ourWork: bigint): SyncPeer | undefined {
  return peers
    .filter((p) => p.totalWork > ourWork)
    .sort((a, b) =>
      a.totalWork === b.totalWork
        ? (a.latencyMs ?? 1e9) - (b.latencyMs ?? 1e9)
        : a.totalWork > b.totalWork
          ? -1
          : 1,
    )[0];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new TypeError(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The hash a block's bytes claim (its header's); "" when too short to have a header. */
function hashOfBytes(b: Uint8Array): string {
  return b.length < HEADER_SIZE ? "" : toHex(headerHash(b.subarray(0, HEADER_SIZE)));
}

function decodeSyncBlock(b: Uint8Array): Block {
  try {
    return decodeBlock(b);
  } catch (err) {
    throw reject("DECODE_FAILED", `block: ${(err as Error).message}`);
  }
}
