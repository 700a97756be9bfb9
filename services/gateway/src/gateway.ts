import { type InvKind, splitBlock, toHex } from "@p2pnode/codec";
import { headerHash, type NodeKey, txId, x25519KeyPair } from "@p2pnode/crypto";
import type { Db, Logger } from "@p2pnode/kit";
import type { BlockAcceptedEvent, NetworkGraph, TxAcceptedEvent } from "@p2pnode/types";
import type { Registry } from "prom-client";
import { AnnouncementTracker } from "./announcement-tracker.js";
import { BanStore } from "./bans.js";
import type { ChainPort, LocalTip } from "./chain-port.js";
import { ComputeRelay } from "./compute-relay.js";
import type { SignatureVerifier } from "./handshake.js";
import { LightRequests } from "./light-requests.js";
import { GatewayMetrics } from "./metrics.js";
import type { NetworkId } from "./network-id.js";
import type { GatewayOptions } from "./options.js";
import type { Peer } from "./peer.js";
import { PeerManager } from "./peer-manager.js";
import { Protocol, statusOf } from "./protocol.js";
import { RecentBytes } from "./recent-bytes.js";
import { Relay } from "./relay.js";
import { PeerScores } from "./scoring.js";
import { SeenCache } from "./seen-cache.js";
import { SyncRequests } from "./sync-requests.js";
import { TxIntake } from "./tx-intake.js";

export interface GatewayModules {
  chain: ChainPort;
  log: Logger;
  registry: Registry;
  identity: NodeKey;
  network: NetworkId;
  db: Db;
  agent: string;
  onConnected?: (peer: Peer) => void;
  onDisconnected?: (peer: Peer, reason: string) => void;
  /** A peer may have more work than us (handshake, status, orphan block): the chain's sync decides. */
  onPeerTip?: (peer: Peer) => void;
  /** The service's VerifyPool (handshake identity proofs); absent: verified inline. */
  verifier?: SignatureVerifier;
}

/** A get-headers / get-blocks the chain asked for, unanswered this long, fails (under its stall limit). */
const SYNC_REQUEST_TIMEOUT_MS = 25_000;

/** The gateway's domain core: peers, gossip, sync, scores and bans, behind REST and NATS edges. */
export class Gateway {
  readonly metrics: GatewayMetrics;
  readonly scores = new PeerScores();
  readonly bans: BanStore;
  readonly seen: SeenCache;
  readonly manager: PeerManager;
  readonly relay: Relay;
  readonly sync: SyncRequests;
  readonly light = new LightRequests(SYNC_REQUEST_TIMEOUT_MS);
  readonly requested: AnnouncementTracker<Peer>;
  readonly protocol: Protocol;
  readonly txIntake: TxIntake;
  readonly compute: ComputeRelay;
  readonly recent: RecentBytes;
  /** Dolev-strong networks: floods a final block with its certificate (consensus-relay.ts). */
  onFinal: ((hashHex: string, certificate: Uint8Array, block: Uint8Array | undefined) => void) | undefined;
  private tip: LocalTip = { height: 0, hash: new Uint8Array(32), totalWork: "0" };
  private tipTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  listenPort = 0;
  /** Off in dolev-strong networks: blocks travel with their certificates (consensus-relay.ts). */
  announceBlocks = true;

  constructor(
    readonly o: GatewayOptions,
    private readonly m: GatewayModules,
  ) {
    const self = this;
    this.metrics = new GatewayMetrics(m.registry);
    this.bans = new BanStore(m.db);
    this.seen = new SeenCache(o.seenTtlMs, o.seenMax);
    this.recent = new RecentBytes(o.recentBytesBudget);
    this.manager = new PeerManager(o, {
      local: {
        identity: m.identity,
        staticKey: x25519KeyPair(),
        network: m.network,
        agent: m.agent,
        get listenPort() {
          return self.listenPort;
        },
        tip: () => ({ height: this.tip.height, hash: this.tip.hash, totalWork: this.tip.totalWork }),
      },
      bans: this.bans,
      scores: this.scores,
      metrics: this.metrics,
      log: m.log,
      ...(m.verifier ? { verifier: m.verifier } : {}),
      onMessage: (peer, msg) => this.compute.handle(peer, msg) || this.protocol.handle(peer, msg),
      onConnected: (peer) => {
        this.protocol.onConnected(peer);
        this.compute.onConnected(peer);
        m.onConnected?.(peer);
      },
      onDisconnected: (peer, reason) => {
        this.sync.forget(peer);
        this.requested.forget(peer);
        this.compute.onDisconnected(peer);
        m.onDisconnected?.(peer, reason);
      },
    });
    const penalise = (peer: Peer, kind: Parameters<PeerManager["penalise"]>[1], detail: string) =>
      this.manager.penalise(peer, kind, detail);
    this.compute = new ComputeRelay({
      peers: () => this.manager.peers.values(),
      peer: (id) => this.manager.peers.get(id),
      penalise,
      log: m.log,
    });
    this.requested = new AnnouncementTracker<Peer>({
      maxPerPeer: o.maxRequestedPerPeer,
      timeoutMs: o.requestTimeoutMs,
      onUnserved: (peer, n) =>
        this.manager.penalise(peer, "UNSERVED_ANNOUNCEMENT", `${n} requested items never delivered`),
    });
    this.sync = new SyncRequests({ timeoutMs: SYNC_REQUEST_TIMEOUT_MS, maxHeaders: 2_000 });
    this.relay = new Relay({
      chain: m.chain,
      seen: this.seen,
      metrics: this.metrics,
      log: m.log,
      peers: () => this.manager.peers.values(),
      penalise,
      reward: (peer, kind) => this.scores.record(peer.id, kind),
      needSync: (peer) => m.onPeerTip?.(peer),
      requested: this.requested,
      recent: this.recent,
    });
    this.txIntake = new TxIntake({
      requested: this.requested,
      submit: (peer, bytes) => this.relay.onTx(peer, bytes),
      onFlood: (peer) => this.manager.penalise(peer, "FLOOD", "unsolicited txs over the bucket; dropped"),
    });
    this.protocol = new Protocol({
      txIntake: this.txIntake,
      chain: m.chain,
      relay: this.relay,
      sync: this.sync,
      light: this.light,
      peerTip: (peer) => m.onPeerTip?.(peer),
      log: m.log,
      chainId: m.network.chainId,
      discovery: o.discovery,
      tip: () => this.tip,
      peers: () => this.manager.peers.values(),
      penalise,
      addCandidate: (host, port, nodeId) => this.manager.addCandidate(host, port, "addr", nodeId),
    });
  }

  get log(): Logger {
    return this.m.log;
  }

  /** Tells the chain a peer may be ahead of us (it decides whether to fetch). */
  peerTip(peer: Peer): void {
    this.m.onPeerTip?.(peer);
  }

  get nodeIdHex(): string {
    return this.m.identity.nodeIdHex;
  }

  get localTip(): LocalTip {
    return this.tip;
  }

  async start(host: string, port: number): Promise<void> {
    this.listenPort = port;
    for (const sp of this.o.staticPeers) {
      const i = sp.lastIndexOf(":");
      this.manager.addCandidate(sp.slice(0, i).replace(/^\[|\]$/g, ""), Number(sp.slice(i + 1)), "static");
    }
    await this.manager.listen(host, port);
    this.requested.start();
    await this.refreshTip();
  }

  /**
   * Until the chain answers once (it may start after us), keep asking; afterwards its block events
   * carry the tip, and a reconciliation adopts the tip after either side restarts.
   */
  private async refreshTip(): Promise<void> {
    try {
      const t = await this.m.chain.tip();
      if (BigInt(t.totalWork) >= BigInt(this.tip.totalWork)) this.tip = t;
    } catch {
      if (this.stopped) return;
      this.tipTimer = setTimeout(() => void this.refreshTip(), 5_000);
      this.tipTimer.unref();
    }
  }

  /**
   * The chain committed a block: on the best chain it is the new tip (the event carries its total
   * work), so announce it — its bytes kept for the getdata that follows — and tell peers our new
   * height. A final block (dolev-strong) is flooded with its certificate instead.
   */
  onChainBlock(e: Omit<BlockAcceptedEvent, "txCount">): void {
    if (e.status !== "connected" && e.status !== "reorg") return;
    const block = e.block && this.checked("block", e.hash, e.block);
    if (BigInt(e.totalWork) >= BigInt(this.tip.totalWork))
      this.tip = { height: e.height, hash: Buffer.from(e.hash, "hex"), totalWork: e.totalWork };
    if (e.certificate) this.onFinal?.(e.hash, e.certificate, block);
    else if (this.announceBlocks) this.relay.announce("block", e.hash, block);
    this.sendStatus();
  }

  private sendStatus(): void {
    const status = statusOf(this.tip);
    for (const p of this.manager.peers.values()) p.send(status);
  }

  /**
   * The chain's tip as read in a reconciliation: when it is not the tip we knew (a block event
   * was missed while either service restarted), adopt it and announce it.
   */
  adoptTip(t: { height: number; hash: string; totalWork: string }): void {
    if (Buffer.from(this.tip.hash).toString("hex") === t.hash) return;
    if (BigInt(t.totalWork) < BigInt(this.tip.totalWork)) return;
    this.tip = { height: t.height, hash: Buffer.from(t.hash, "hex"), totalWork: t.totalWork };
    if (this.announceBlocks) this.relay.announce("block", t.hash);
    this.sendStatus();
  }

  /** The chain admitted a tx to its pool: announce it, its bytes kept for the getdata that follows. */
  onChainTx(e: Omit<TxAcceptedEvent, "fee">): void {
    this.relay.announce("tx", e.id, this.checked("tx", e.id, e.tx));
  }

  /**
   * An event's bytes, if they are what it names (a hash check, as a peer would make): bytes that
   * are not are never served; the chain's read endpoint answers the getdata instead.
   */
  private checked(kind: InvKind, hashHex: string, bytes: Uint8Array): Uint8Array | undefined {
    let actual: string;
    try {
      actual = toHex(kind === "tx" ? txId(bytes) : headerHash(splitBlock(bytes).header));
    } catch (err) {
      actual = `undecodable (${(err as Error).message})`;
    }
    if (actual === hashHex) return bytes;
    this.m.log.warn({ kind, hash: hashHex, actual }, "chain event bytes do not match their hash: not kept");
    return undefined;
  }

  announce(kind: InvKind, hashHex: string): void {
    this.relay.announce(kind, hashHex);
  }

  /** Our view of the network: our links and the links our peers reported in peer exchange. */
  graph(): NetworkGraph {
    const nodes = new Map<string, { id: string; address?: string }>([
      [this.nodeIdHex, { id: this.nodeIdHex }],
    ]);
    const edges = new Map<string, NetworkGraph["edges"][number]>();
    const edge = (a: string, b: string, latencyMs: number | null) => {
      const [from, to] = a < b ? [a, b] : [b, a];
      const key = `${from}-${to}`;
      if (edges.has(key) && latencyMs === null) return;
      edges.set(key, { from, to, latencyMs, weight: latencyMs && latencyMs > 0 ? latencyMs : 1 });
    };
    for (const p of this.manager.peers.values()) {
      nodes.set(p.id, { id: p.id, address: p.address });
      edge(this.nodeIdHex, p.id, p.latencyMs);
      for (const r of p.reportedPeers) {
        if (!nodes.has(r.id)) nodes.set(r.id, { id: r.id });
        if (r.id !== this.nodeIdHex) edge(p.id, r.id, r.latencyMs > 0 ? r.latencyMs : null);
      }
    }
    return { self: this.nodeIdHex, nodes: [...nodes.values()], edges: [...edges.values()] };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tipTimer);
    this.sync.stop();
    this.light.stop();
    this.relay.stop();
    this.requested.stop();
    this.compute.stop();
    await this.manager.stop();
  }
}
