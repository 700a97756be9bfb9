import type { ServerResponse } from "node:http";
import type { Bus } from "@p2pnode/kit";
import {
  ChainSubjects,
  ComputeSubjects,
  ConsensusSubjects,
  type DashboardEvent,
  GatewaySubjects,
} from "@p2pnode/types";

/** How often admitted transactions are summed into one `txs` event, and compute tasks' progress sent. */
const TX_BATCH_MS = 1_000;
/** A comment line keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** A client that stops reading is dropped before its backlog grows past this. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * The dashboard's live feed from this node: committed blocks, peer changes and peers' tips as
 * they happen, admitted transactions summed per second; on dolev-strong networks blocks made
 * final and evidence recorded; compute tasks' progress. Server-sent events, one stream per tab;
 * with no tab open it costs one counter increment per event.
 */
export class DashboardFeed {
  private readonly clients = new Set<ServerResponse>();
  private txs = 0;
  private readonly tasks = new Map<string, DashboardEvent>();
  private readonly txTimer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(bus: Bus) {
    bus.subscribe(ChainSubjects.blockAccepted, (e) =>
      this.send({
        kind: "block",
        hash: e.hash,
        height: e.height,
        status: e.status,
        txCount: e.txCount,
        at: Date.now(),
      }),
    );
    bus.subscribe(ChainSubjects.txAccepted, () => {
      this.txs++;
    });
    bus.subscribe(GatewaySubjects.peerConnected, (e) =>
      this.send({ kind: "peer", id: e.id, change: "connected", height: e.height, at: Date.now() }),
    );
    bus.subscribe(GatewaySubjects.peerDisconnected, (e) =>
      this.send({ kind: "peer", id: e.id, change: "disconnected", at: Date.now() }),
    );
    bus.subscribe(GatewaySubjects.peerTip, (e) =>
      this.send({ kind: "peer", id: e.peer, change: "tip", height: e.height, at: Date.now() }),
    );
    bus.subscribe(ConsensusSubjects.blockFinalized, (e) =>
      this.send({ kind: "final", slot: e.slot, height: e.height, signers: e.signers, at: Date.now() }),
    );
    bus.subscribe(ConsensusSubjects.evidenceRecorded, (e) =>
      this.send({ kind: "evidence", slot: e.slot, leader: e.leader, at: Date.now() }),
    );
    bus.subscribe(ComputeSubjects.taskProgress, (e) => {
      if (this.clients.size === 0 || e.type === "snapshot") return;
      // A busy task decides many jobs a second: the latest state of each is sent once a second.
      this.tasks.set(e.taskId, {
        kind: "task",
        id: e.taskId,
        type: e.type,
        done: e.jobs.done,
        total: e.jobs.total,
        at: Date.now(),
      });
    });
    this.txTimer = setInterval(() => this.flushTxs(), TX_BATCH_MS);
    this.txTimer.unref();
    this.heartbeat = setInterval(() => this.write(": keep-alive\n\n"), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Transactions admitted since start (the snapshot's counter, for rates between snapshots). */
  txAccepted = 0;

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over a response and streams events to it until the client goes away. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "access-control-allow-origin": "*",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  private flushTxs(): void {
    for (const e of this.tasks.values()) this.send(e);
    this.tasks.clear();
    if (this.txs === 0) return;
    this.txAccepted += this.txs;
    const count = this.txs;
    this.txs = 0;
    this.send({ kind: "txs", count, at: Date.now() });
  }

  private send(e: DashboardEvent): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
  }

  private write(chunk: string): void {
    for (const c of this.clients) {
      if (c.writableLength > MAX_BUFFERED_BYTES) {
        c.destroy();
        this.clients.delete(c);
      } else c.write(chunk);
    }
  }

  close(): void {
    clearInterval(this.txTimer);
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
