import { Counter, Gauge, Histogram, type Registry } from "prom-client";

interface Tally {
  count: number;
  bytes: number;
}

/**
 * The gateway's telemetry: Prometheus series (per message type and direction, handshakes,
 * disconnect reasons, propagation latency) and the same counts as JSON for GET /stats.
 */
export class GatewayMetrics {
  private readonly messages: Counter<"type" | "direction">;
  private readonly messageBytes: Counter<"type" | "direction">;
  private readonly handshakes: Counter<"result">;
  private readonly disconnects: Counter<"reason">;
  readonly peers: Gauge<"direction">;
  readonly blockPropagation: Histogram;
  readonly txPropagation: Histogram;
  readonly pingRtt: Histogram;
  private readonly tallies = new Map<string, { sent: Tally; received: Tally }>();
  private handshakeOk = 0;
  private readonly handshakeFailed = new Map<string, number>();
  private readonly disconnectReasons = new Map<string, number>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.messages = new Counter({
      name: "p2p_messages_total",
      help: "P2P messages by type and direction",
      labelNames: ["type", "direction"],
      registers,
    });
    this.messageBytes = new Counter({
      name: "p2p_message_bytes_total",
      help: "P2P message plaintext bytes by type and direction",
      labelNames: ["type", "direction"],
      registers,
    });
    this.handshakes = new Counter({
      name: "p2p_handshakes_total",
      help: "Handshakes by result (ok or the refusal code)",
      labelNames: ["result"],
      registers,
    });
    this.disconnects = new Counter({
      name: "p2p_disconnects_total",
      help: "Closed peer connections by reason",
      labelNames: ["reason"],
      registers,
    });
    this.peers = new Gauge({
      name: "p2p_peers",
      help: "Connected peers",
      labelNames: ["direction"],
      registers,
    });
    this.blockPropagation = new Histogram({
      name: "p2p_block_propagation_seconds",
      help: "Time from a block's header timestamp to its first arrival here",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.txPropagation = new Histogram({
      name: "p2p_tx_fetch_seconds",
      help: "Time from a tx's first announcement to its arrival here",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.pingRtt = new Histogram({
      name: "p2p_ping_rtt_seconds",
      help: "Ping round trips",
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  message(direction: "sent" | "received", type: string, bytes: number): void {
    this.messages.inc({ type, direction });
    this.messageBytes.inc({ type, direction }, bytes);
    let t = this.tallies.get(type);
    if (!t) {
      t = { sent: { count: 0, bytes: 0 }, received: { count: 0, bytes: 0 } };
      this.tallies.set(type, t);
    }
    t[direction].count++;
    t[direction].bytes += bytes;
  }

  handshake(result: string): void {
    this.handshakes.inc({ result });
    if (result === "ok") this.handshakeOk++;
    else this.handshakeFailed.set(result, (this.handshakeFailed.get(result) ?? 0) + 1);
  }

  disconnect(reason: string): void {
    this.disconnects.inc({ reason });
    this.disconnectReasons.set(reason, (this.disconnectReasons.get(reason) ?? 0) + 1);
  }

  snapshot() {
    return {
      messages: Object.fromEntries(this.tallies),
      handshakes: { ok: this.handshakeOk, failed: Object.fromEntries(this.handshakeFailed) },
      disconnects: Object.fromEntries(this.disconnectReasons),
    };
  }
}
