import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { HandshakePayload, P2pMessage } from "@p2pnode/codec";
import { NOISE_MAX_MESSAGE, TAG_BYTES } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import { WebSocket, WebSocketServer } from "ws";
import { AddressBook, type CandidateSource, isLoopback, netgroup, normaliseIp } from "./address-book.js";
import type { BanStore } from "./bans.js";
import { GatewayError, type GatewayErrorCode } from "./errors.js";
import { pickEvictionVictim } from "./eviction.js";
import { closeWith, type LocalInfo, runHandshake, type SignatureVerifier } from "./handshake.js";
import { inboundGroup, PendingConnections, type PendingHandle } from "./inbound-limits.js";
import type { GatewayMetrics } from "./metrics.js";
import type { GatewayOptions } from "./options.js";
import { type Direction, Peer } from "./peer.js";
import { type PeerScores, type ScoreKind, SLOWNESS_KINDS } from "./scoring.js";
import { SocketQueue } from "./socket-queue.js";

export interface PeerManagerModules {
  local: LocalInfo;
  /** The service's VerifyPool for handshake identity proofs; absent: verified inline. */
  verifier?: SignatureVerifier;
  bans: BanStore;
  scores: PeerScores;
  metrics: GatewayMetrics;
  log: Logger;
  onMessage: (peer: Peer, msg: P2pMessage) => void;
  onConnected: (peer: Peer) => void;
  onDisconnected: (peer: Peer, reason: string) => void;
}

/** Handshakes we dial at once; more are refused before any crypto is spent on them. */
const MAX_PENDING_DIALS = 64;

/** ws's maxPayload for a message limit: the sealed size of the largest plaintext. */
export function sealedLimit(maxMessageBytes: number): number {
  return maxMessageBytes + Math.ceil(maxMessageBytes / (NOISE_MAX_MESSAGE - TAG_BYTES)) * TAG_BYTES;
}

/**
 * Peer connections: the /p2p listener, the dialer (targets, backoff, diversity), admission
 * (bans, duplicates, caps, eviction, allowlist) and the misbehaviour → ban path.
 */
export class PeerManager {
  readonly peers = new Map<string, Peer>();
  readonly book: AddressBook;
  private server: WebSocketServer | undefined;
  private http: Server | undefined;
  /** Inbound connections from TCP accept until the handshake is over (inbound-limits.ts). */
  readonly pendingInbound: PendingConnections;
  private readonly pendingOf = new WeakMap<Socket, { handle: PendingHandle; timer: NodeJS.Timeout }>();
  private dialTimer: NodeJS.Timeout | undefined;
  private readonly dialing = new Set<string>();
  private pending = 0;
  private allow: Set<string> | null = null;
  private stopped = false;

  constructor(
    private readonly o: GatewayOptions,
    private readonly m: PeerManagerModules,
  ) {
    this.book = new AddressBook({
      backoffBaseMs: o.backoffBaseMs,
      backoffMaxMs: o.backoffMaxMs,
      maxEntries: 4_096,
    });
    this.pendingInbound = new PendingConnections({
      maxPending: o.maxPendingHandshakes,
      maxPendingPerIp: o.maxPendingPerIp,
      maxPendingPerGroup: o.maxPendingPerGroup,
    });
  }

  async listen(host: string, port: number): Promise<void> {
    const server = new WebSocketServer({
      noServer: true,
      path: "/p2p",
      maxPayload: sealedLimit(this.o.maxMessageBytes),
    });
    this.server = server;
    // Our own HTTP server, so every accepted socket is counted and timed from TCP accept: an
    // upgrade request that never completes is closed with the handshake deadline (Node's own
    // headersTimeout is checked only every 30 s).
    const http = createServer((_req, res) => {
      res.writeHead(426, { connection: "close" }).end("WebSocket upgrade required on /p2p\n");
    });
    this.http = http;
    http.on("connection", (socket: Socket) => this.accepted(socket));
    http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (!server.shouldHandle(req)) return socket.destroy();
      // Upgraded: from here the Noise handshake's own deadline applies (it closes with a reason).
      const p = this.pendingOf.get(socket);
      if (p) clearTimeout(p.timer);
      server.handleUpgrade(req, socket, head, (ws) => void this.inbound(ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      http.once("listening", resolve);
      http.once("error", reject);
      http.listen(port, host);
    });
    this.dialTimer = setInterval(() => this.dialMore(), this.o.dialIntervalMs);
    this.dialTimer.unref();
  }

  count(direction: Direction): number {
    let n = 0;
    for (const p of this.peers.values()) if (p.info.direction === direction) n++;
    return n;
  }

  /** Restricts connections to these NodeIds (null: anyone); drops connected peers outside it. */
  setAllowlist(ids: string[] | null): void {
    this.allow = ids === null ? null : new Set(ids);
    if (this.allow) for (const p of this.peers.values()) if (!this.allow.has(p.id)) p.close("NOT_ALLOWED");
  }

  get allowlist(): string[] | null {
    return this.allow ? [...this.allow] : null;
  }

  addCandidate(host: string, port: number, source: CandidateSource, nodeId?: string): void {
    if (!this.o.discovery && source !== "static" && source !== "admin") return;
    if (port <= 0 || port > 65535) return;
    this.book.add(host, port, source, nodeId);
  }

  /** A TCP connection was accepted: it is pending until its handshake is over, and timed. */
  private accepted(socket: Socket): void {
    const ip = normaliseIp(socket.remoteAddress ?? "");
    if (this.ipBanned(ip)) return void socket.destroy();
    const handle = this.pendingInbound.add(ip, this.relaxed(ip), () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), this.o.handshakeTimeoutMs);
    timer.unref();
    this.pendingOf.set(socket, { handle, timer });
    socket.once("close", () => this.settled(socket));
  }

  /** The handshake is over (either way) or the socket closed: it no longer holds a pending slot. */
  private settled(socket: Socket): void {
    const p = this.pendingOf.get(socket);
    if (!p) return;
    this.pendingOf.delete(socket);
    clearTimeout(p.timer);
    p.handle.release();
  }

  private async inbound(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const socket = req.socket as Socket;
    const ip = normaliseIp(socket.remoteAddress ?? "");
    const port = socket.remotePort ?? 0;
    try {
      if (this.ipBanned(ip)) return this.refuse(ws, "BANNED");
      if (!this.relaxed(ip)) {
        let fromIp = 0;
        for (const p of this.peers.values()) if (p.info.ip === ip && p.info.direction === "inbound") fromIp++;
        if (fromIp >= this.o.maxInboundPerIp) return this.refuse(ws, "TOO_MANY_PEERS");
      }
      await this.secure(ws, "inbound", ip, port).catch(() => undefined);
    } finally {
      this.settled(socket);
    }
  }

  private refuse(ws: WebSocket, code: GatewayErrorCode): void {
    this.m.metrics.handshake(code);
    closeWith(ws, code);
  }

  /** Dials host:port and resolves once the handshake completes (rejects with the refusal reason). */
  async dial(host: string, port: number, source: CandidateSource = "admin"): Promise<Peer> {
    const key = `${host}:${port}`;
    if (this.dialing.has(key)) throw new GatewayError("DUPLICATE_PEER", `already dialling ${key}`);
    this.dialing.add(key);
    try {
      const url = `ws://${host.includes(":") ? `[${host}]` : host}:${port}/p2p`;
      const ws = new WebSocket(url, {
        maxPayload: sealedLimit(this.o.maxMessageBytes),
        handshakeTimeout: this.o.handshakeTimeoutMs,
        perMessageDeflate: false,
      });
      const queue = new SocketQueue(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", (err) => reject(new GatewayError("DIAL_FAILED", `${key}: ${err.message}`)));
        ws.once("unexpected-response", (_r, res) =>
          reject(new GatewayError("DIAL_FAILED", `${key}: HTTP ${res.statusCode} instead of a WebSocket`)),
        );
      });
      const peer = await this.secure(ws, "outbound", normaliseIp(host), port, queue, source);
      this.book.connected(host, port, peer.id);
      return peer;
    } catch (err) {
      this.book.failed(host, port);
      throw err;
    } finally {
      this.dialing.delete(key);
    }
  }

  private async secure(
    ws: WebSocket,
    direction: Direction,
    ip: string,
    port: number,
    queue = new SocketQueue(ws),
    source?: CandidateSource,
  ): Promise<Peer> {
    if (direction === "outbound" && this.pending >= MAX_PENDING_DIALS)
      throw new GatewayError("TOO_MANY_PEERS", "too many handshakes of our own in progress");
    if (direction === "outbound") this.pending++;
    let result: Awaited<ReturnType<typeof runHandshake>>;
    try {
      result = await runHandshake({
        ws,
        queue,
        initiator: direction === "outbound",
        local: this.m.local,
        timeoutMs: this.o.handshakeTimeoutMs,
        maxMessageBytes: this.o.maxMessageBytes,
        admit: (id) => this.admit(id, direction, ip, source),
        ...(this.m.verifier ? { verifier: this.m.verifier } : {}),
      });
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : "BAD_HANDSHAKE";
      this.m.metrics.handshake(code);
      this.m.log.debug({ ip, port, direction, code, err: (err as Error).message }, "handshake failed");
      throw err;
    } finally {
      if (direction === "outbound") this.pending--;
    }
    if (this.stopped) {
      // A dial (or an accepted socket) whose handshake ended after stop(): registered, it would
      // ping and report on a bus that is closed (an uncaught error in a stopped service).
      closeWith(ws, "SHUTDOWN");
      throw new GatewayError("SHUTDOWN", "the gateway stopped during the handshake");
    }
    this.m.metrics.handshake("ok");
    return this.register(ws, direction, ip, port, result.nodeIdHex, result.remote, result);
  }

  private register(
    ws: WebSocket,
    direction: Direction,
    ip: string,
    port: number,
    id: string,
    remote: HandshakePayload,
    result: Awaited<ReturnType<typeof runHandshake>>,
  ): Peer {
    const o = this.o;
    const peer = new Peer(
      {
        id,
        direction,
        ip,
        port,
        listenPort: remote.listenPort,
        agent: remote.agent,
        height: remote.height,
        tipHash: remote.tipHash,
        totalWork: remote.totalWork,
      },
      { ...o, knownItems: 50_000 },
      {
        ws,
        channel: result.channel,
        metrics: this.m.metrics,
        onMessage: this.m.onMessage,
        onMisbehaviour: (p, kind, detail, fatal) => this.misbehaved(p, kind, detail, fatal),
        onClose: (p, reason) => this.closed(p, reason),
      },
    );
    this.peers.set(id, peer);
    this.m.metrics.peers.set({ direction }, this.count(direction));
    if (direction === "inbound" && remote.listenPort > 0)
      this.addCandidate(ip, remote.listenPort, "addr", id);
    peer.start(result.leftover);
    this.m.log.info(
      { peer: id.slice(0, 16), address: peer.address, direction, height: remote.height },
      "peer connected",
    );
    this.m.onConnected(peer);
    return peer;
  }

  private admit(id: string, direction: Direction, ip: string, source?: CandidateSource): void {
    if (this.stopped) throw new GatewayError("SHUTDOWN", "the gateway is stopping");
    if (this.m.bans.isBanned(id) || this.ipBanned(ip))
      throw new GatewayError("BANNED", "this peer is banned");
    if (this.allow && !this.allow.has(id))
      throw new GatewayError("NOT_ALLOWED", "peer is not on the allowlist");
    if (this.peers.has(id)) throw new GatewayError("DUPLICATE_PEER", "already connected to this NodeId");
    if (direction === "inbound" && !this.relaxed(ip)) {
      const group = inboundGroup(ip);
      let inGroup = 0;
      for (const p of this.peers.values())
        if (p.info.direction === "inbound" && inboundGroup(p.info.ip) === group) inGroup++;
      if (inGroup >= this.o.maxInboundPerGroup)
        throw new GatewayError("TOO_MANY_PEERS", `address block ${group} holds its share of inbound slots`);
    }
    if (direction === "inbound" && this.count("inbound") >= this.o.maxInbound && !this.evictInbound()) {
      throw new GatewayError("TOO_MANY_PEERS", "inbound slots are full");
    }
    if (
      direction === "outbound" &&
      source !== "admin" &&
      source !== "static" &&
      this.count("outbound") >= this.o.maxOutbound
    ) {
      throw new GatewayError("TOO_MANY_PEERS", "outbound slots are full");
    }
  }

  /** Makes room for an inbound peer by dropping the least useful one (eviction.ts). */
  private evictInbound(): boolean {
    const inbound = [...this.peers.values()].filter((p) => p.info.direction === "inbound");
    const victim = pickEvictionVictim(
      inbound.map((p) => ({
        id: p.id,
        group: this.relaxed(p.info.ip) ? p.info.ip : inboundGroup(p.info.ip),
        latencyMs: p.latencyMs,
        lastUsefulAt: p.lastUsefulAt,
        connectedAt: p.connectedAt,
        score: this.m.scores.score(p.id),
      })),
    );
    if (!victim) return false;
    this.peers.get(victim.id)?.close("EVICTED");
    return true;
  }

  private misbehaved(peer: Peer, kind: ScoreKind, detail: string, fatal?: GatewayErrorCode): void {
    const score = this.m.scores.record(peer.id, kind, detail);
    this.m.log.warn({ peer: peer.id.slice(0, 16), kind, detail, score }, "peer misbehaved");
    if (score <= this.o.banThreshold && SLOWNESS_KINDS.has(kind)) peer.close("SLOW_PEER");
    else if (score <= this.o.banThreshold) {
      this.banPeer(peer, `score ${score} after ${kind}`);
      peer.close(fatal ?? "MISBEHAVIOUR");
    } else if (fatal) peer.close(fatal);
  }

  /** Records a penalty from a higher layer (relay, sync); may ban and disconnect. */
  penalise(peer: Peer, kind: ScoreKind, detail: string, fatal?: GatewayErrorCode): void {
    if (peer.isOpen) this.misbehaved(peer, kind, detail, fatal);
    else this.m.scores.record(peer.id, kind, detail);
  }

  private banPeer(peer: Peer, reason: string): void {
    this.m.bans.ban(peer.id, "node", reason, this.o.banDurationMs);
    if (!this.relaxed(peer.info.ip)) this.m.bans.ban(peer.info.ip, "ip", reason, this.o.banDurationMs);
  }

  /** Admin ban of a NodeId or IP: stored, and matching peers are disconnected. */
  ban(target: string, reason: string, durationMs = this.o.banDurationMs) {
    const kind = /^[0-9a-f]{64}$/.test(target) ? ("node" as const) : ("ip" as const);
    const b = this.m.bans.ban(kind === "ip" ? normaliseIp(target) : target, kind, reason, durationMs);
    for (const p of this.peers.values()) if (p.id === target || p.info.ip === b.target) p.close("BANNED");
    return b;
  }

  private ipBanned(ip: string): boolean {
    return this.m.bans.isBanned(ip);
  }

  /** Loopback peers on a devnet share one IP: IP bans and diversity limits would cut them all. */
  private relaxed(ip: string): boolean {
    return this.o.devnet && isLoopback(ip);
  }

  private closed(peer: Peer, reason: string): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    this.m.metrics.peers.set({ direction: peer.info.direction }, this.count(peer.info.direction));
    this.m.metrics.disconnect(reason);
    if (peer.info.direction === "outbound") this.book.disconnected(peer.info.ip, peer.info.port);
    this.m.log.info({ peer: peer.id.slice(0, 16), address: peer.address, reason }, "peer disconnected");
    this.m.onDisconnected(peer, reason);
  }

  /** Keeps outbound slots filled: static peers always, others while below the target. */
  private dialMore(): void {
    if (this.stopped) return;
    let free = this.o.maxOutbound - this.count("outbound") - this.dialing.size;
    const groups = new Map<string, number>();
    for (const p of this.peers.values()) {
      if (p.info.direction === "outbound")
        groups.set(netgroup(p.info.ip), (groups.get(netgroup(p.info.ip)) ?? 0) + 1);
    }
    for (const c of this.book.due()) {
      if (c.nodeId && (this.peers.has(c.nodeId) || c.nodeId === this.m.local.identity.nodeIdHex)) continue;
      if (c.nodeId && this.allow && !this.allow.has(c.nodeId)) continue;
      if (this.dialing.has(`${c.host}:${c.port}`) || this.ipBanned(c.host)) continue;
      if ([...this.peers.values()].some((p) => p.info.ip === c.host && p.info.listenPort === c.port))
        continue;
      const isStatic = c.source === "static";
      if (!isStatic && free <= 0) continue;
      const g = netgroup(c.host);
      if (!isStatic && !this.relaxed(c.host) && (groups.get(g) ?? 0) >= this.o.maxOutboundPerNetgroup)
        continue;
      groups.set(g, (groups.get(g) ?? 0) + 1);
      if (!isStatic) free--;
      this.dial(c.host, c.port, c.source).catch((err: Error) =>
        this.m.log.debug({ host: c.host, port: c.port, err: err.message }, "dial failed"),
      );
    }
  }

  disconnect(id: string, code: GatewayErrorCode = "DISCONNECT_REQUESTED"): boolean {
    const p = this.peers.get(id);
    if (!p) return false;
    p.close(code);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.dialTimer);
    for (const p of [...this.peers.values()]) p.close("SHUTDOWN");
    const server = this.server;
    if (server) {
      for (const c of server.clients) c.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const http = this.http;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }
}
