import { MAX_P2P_MESSAGE_BYTES } from "@p2pnode/codec";
import type { NodeConfig } from "@p2pnode/kit/config";

/** Tunables of the gateway: plain data, each default with where it comes from (DESIGN.md §5). */
export interface GatewayOptions {
  /** Outbound connections the dialer keeps (Bitcoin Core 8 full-relay; CometBFT 10). */
  maxOutbound: number;
  /** Inbound connections accepted before eviction (Bitcoin Core ~117 of 125; CometBFT 40). */
  maxInbound: number;
  /** Handshake deadline from TCP accept/connect to the last Noise message (geth: 5 s). */
  handshakeTimeoutMs: number;
  /** Ping period; latency is the pong round trip (15–60 s in the anchors). */
  pingIntervalMs: number;
  /** A peer that answers no ping for this long is dropped. */
  pingTimeoutMs: number;
  /** Largest decrypted message (4 MiB, Bitcoin Core and libp2p); ws maxPayload is this plus tags. */
  maxMessageBytes: number;
  /** Score at or below which a peer is disconnected and banned. */
  banThreshold: number;
  /** How long a misbehaviour ban lasts (Bitcoin Core, CometBFT: 24 h). */
  banDurationMs: number;
  /** Seen-cache TTL and size (gossipsub: ~2 min). */
  seenTtlMs: number;
  seenMax: number;
  /**
   * Txs still unmined this long after they entered the pool are announced again to every peer,
   * whatever it was told before: a peer whose chain restarted, or that dropped the tx while its
   * own chain was down, gets another chance to fetch it.
   */
  reannounceMs: number;
  /**
   * Bytes of recently accepted txs and blocks kept to serve getdata without asking the chain
   * (recent-bytes.ts). 32 MiB holds a few full blocks and tens of thousands of transfers: a
   * getdata wave follows its announcement within seconds, so older entries are rarely asked for.
   */
  recentBytesBudget: number;
  /** Per-peer message rate and burst. A sync answer is one message, so honest peers stay far below. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Per-peer byte rate and burst (the burst holds a few full 4 MiB messages). */
  bytesPerSecond: number;
  byteBurst: number;
  /** Addresses accepted per second per peer, and the bucket size (Bitcoin Core: 0.1/s, 1,000). */
  addrPerSecond: number;
  addrBurst: number;
  /** Dialer period and reconnect backoff (doubling from base to max). */
  dialIntervalMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Outbound peers per /16 (IPv4) or /32 (IPv6) netgroup, and inbound connections per IP; off in devnet. */
  maxOutboundPerNetgroup: number;
  maxInboundPerIp: number;
  /** Inbound peers per /24 (IPv4) or /48 (IPv6): the share one address block may hold; off in devnet. */
  maxInboundPerGroup: number;
  /**
   * Accepted connections not yet through the handshake: in all, per IP and per /24. At a limit
   * the oldest pending connection of the crowded address (or group) is dropped, never the new one.
   */
  maxPendingHandshakes: number;
  maxPendingPerIp: number;
  maxPendingPerGroup: number;
  /**
   * Items we asked a peer for (getData) and it has not delivered yet; announcements beyond it
   * are not requested (Bitcoin Core tracks at most 5,000 per peer).
   */
  maxRequestedPerPeer: number;
  /** A requested item neither delivered nor answered not-found this long later costs the peer. */
  requestTimeoutMs: number;
  /** Relaxes diversity rules and IP bans on loopback (P2PNODE_DEVNET=1). */
  devnet: boolean;
  /** P2P peers dialled directly (host:port of their P2P port) and kept connected. */
  staticPeers: string[];
  /** Whether DHT records, bootnodes and peer exchange feed the dialer. */
  discovery: boolean;
  /** Largest bytes a slow peer may have queued unsent before it is dropped. */
  maxQueuedBytes: number;
}

export const defaultGatewayOptions: GatewayOptions = {
  maxOutbound: 8,
  maxInbound: 32,
  handshakeTimeoutMs: 5_000,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 60_000,
  maxMessageBytes: MAX_P2P_MESSAGE_BYTES,
  banThreshold: -100,
  banDurationMs: 24 * 3600 * 1000,
  seenTtlMs: 120_000,
  seenMax: 200_000,
  reannounceMs: 10_000,
  recentBytesBudget: 32 * 1024 * 1024,
  messagesPerSecond: 500,
  messageBurst: 2_000,
  bytesPerSecond: 16 * 1024 * 1024,
  byteBurst: 32 * 1024 * 1024,
  addrPerSecond: 0.1,
  addrBurst: 1_000,
  dialIntervalMs: 1_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  maxOutboundPerNetgroup: 2,
  maxInboundPerIp: 4,
  maxInboundPerGroup: 8,
  maxPendingHandshakes: 64,
  maxPendingPerIp: 4,
  maxPendingPerGroup: 16,
  maxRequestedPerPeer: 5_000,
  requestTimeoutMs: 30_000,
  devnet: false,
  staticPeers: [],
  discovery: true,
  maxQueuedBytes: 64 * 1024 * 1024,
};

/**
 * The gateway's options from the node's configuration: P2PNODE_P2P_PEERS, P2PNODE_P2P_DISCOVERY and
 * the connection caps are validated once, by kit's NodeEnv, like every other variable.
 */
export function gatewayOptionsFromConfig(
  config: Pick<NodeConfig, "devnet" | "p2pPeers" | "p2pDiscovery" | "p2pMaxOutbound" | "p2pMaxInbound">,
  overrides: Partial<GatewayOptions> = {},
): GatewayOptions {
  return {
    ...defaultGatewayOptions,
    devnet: config.devnet,
    staticPeers: config.p2pPeers,
    discovery: config.p2pDiscovery,
    ...(config.p2pMaxOutbound === undefined ? {} : { maxOutbound: config.p2pMaxOutbound }),
    ...(config.p2pMaxInbound === undefined ? {} : { maxInbound: config.p2pMaxInbound }),
    ...overrides,
  };
}
