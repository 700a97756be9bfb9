import { type App, requireAdmin } from "@p2pnode/kit";
import {
  AllowlistRequest,
  BanEntry,
  BanList,
  BanRequest,
  CodedError,
  ConnectRequest,
  ErrorBody,
  GatewayStats,
  NetworkGraph,
  PeerIdHex,
  PeerInfo,
  PeerList,
  PeerScoreReport,
} from "@p2pnode/types";
import { z } from "zod";
import type { Gateway } from "./gateway.js";
import type { Peer } from "./peer.js";

const tags = ["gateway"];
const IdParams = z.object({ id: PeerIdHex });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function peerInfo(p: Peer, score: number): PeerInfo {
  return {
    id: p.id,
    address: p.address,
    direction: p.info.direction,
    listenPort: p.info.listenPort,
    latencyMs: p.latencyMs,
    score: Math.round(score * 100) / 100,
    height: p.height,
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    connectedAt: p.connectedAt,
    agent: p.info.agent,
  };
}

export function peerList(g: Gateway): z.infer<typeof PeerList> {
  return { peers: [...g.manager.peers.values()].map((p) => peerInfo(p, g.scores.score(p.id))) };
}

/** The gateway's REST routes; the changing ones need the admin token. */
export function gatewayRoutes(app: App, g: Gateway, apiToken: string | undefined): void {
  const admin = requireAdmin(apiToken);

  app.get(
    "/peers",
    { schema: { tags, description: "Connected peers", response: { 200: PeerList } } },
    async () => peerList(g),
  );

  app.get(
    "/peers/:id/score",
    {
      schema: {
        tags,
        description: "A peer's misbehaviour score and the events that moved it (newest first)",
        params: IdParams,
        response: { 200: PeerScoreReport, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params;
      if (!g.scores.known(id) && !g.manager.peers.has(id) && !g.bans.isBanned(id)) {
        throw new CodedError("NOT_FOUND", `no record of peer ${id}`);
      }
      return {
        id,
        score: Math.round(g.scores.score(id) * 100) / 100,
        connected: g.manager.peers.has(id),
        banned: g.bans.isBanned(id),
        events: g.scores.events(id),
      };
    },
  );

  app.get(
    "/network",
    {
      schema: {
        tags,
        description: "This node's view of the network: nodes and latency-weighted edges",
        response: { 200: NetworkGraph },
      },
    },
    async () => g.graph(),
  );

  app.post(
    "/peers/connect",
    {
      preHandler: admin,
      schema: {
        tags,
        description:
          "Dial a peer's P2P port and wait for the handshake; a refusal answers 409 with its reason code",
        body: ConnectRequest,
        response: { 200: PeerInfo, ...errors },
      },
    },
    async (req) => {
      g.manager.addCandidate(req.body.host, req.body.port, "admin");
      const p = await g.manager.dial(req.body.host, req.body.port, "admin");
      return peerInfo(p, g.scores.score(p.id));
    },
  );

  app.post(
    "/peers/:id/disconnect",
    {
      preHandler: admin,
      schema: {
        tags,
        description: "Close a peer connection",
        params: IdParams,
        response: { 200: z.object({ disconnected: z.boolean() }), ...errors },
      },
    },
    async (req) => {
      if (!g.manager.disconnect(req.params.id))
        throw new CodedError("NOT_FOUND", `peer ${req.params.id} is not connected`);
      return { disconnected: true };
    },
  );

  app.put(
    "/peers/allowlist",
    {
      preHandler: admin,
      schema: {
        tags,
        description: "Restrict peers to these NodeIds (null lifts it): for fixed topologies and partitions",
        body: AllowlistRequest,
        response: { 200: AllowlistRequest, ...errors },
      },
    },
    async (req) => {
      g.manager.setAllowlist(req.body.nodeIds);
      return { nodeIds: g.manager.allowlist };
    },
  );

  app.get(
    "/bans",
    { schema: { tags, description: "Active bans", response: { 200: BanList } } },
    async () => ({
      bans: g.bans.list(),
    }),
  );

  // Devnet only: lets an e2e test make this node a hostile peer and watch the others drop it.
  app.post(
    "/admin/debug/misbehave",
    {
      preHandler: admin,
      schema: {
        tags,
        description: "devnet only: serve altered headers to peers (fault injection for tests)",
        body: z.object({ badHeaders: z.boolean() }),
        response: { 200: z.object({ badHeaders: z.boolean() }), ...errors },
      },
    },
    async (req) => {
      if (!g.o.devnet)
        throw new CodedError("FORBIDDEN", "fault injection exists only on a devnet (P2PNODE_DEVNET=1)");
      g.protocol.misbehave.badHeaders = req.body.badHeaders;
      return { ...g.protocol.misbehave };
    },
  );

  app.post(
    "/bans",
    {
      preHandler: admin,
      schema: {
        tags,
        description: "Ban a NodeId or IP (default 24 h); matching peers are disconnected",
        body: BanRequest,
        response: { 200: BanEntry, ...errors },
      },
    },
    async (req) => {
      const { target, durationSeconds, reason } = req.body;
      if (!/^[0-9a-f]{64}$/.test(target) && !/^[0-9a-fA-F.:]+$/.test(target)) {
        throw new CodedError("VALIDATION_FAILED", "target: a NodeId (64 hex) or an IP address");
      }
      return g.manager.ban(
        target,
        reason ?? "admin",
        durationSeconds === undefined ? undefined : durationSeconds * 1000,
      );
    },
  );

  app.delete(
    "/bans/:target",
    {
      preHandler: admin,
      schema: {
        tags,
        description: "Lift a ban (and forget the peer's score)",
        params: z.object({ target: z.string().min(1).max(64) }),
        response: { 200: z.object({ unbanned: z.boolean() }), ...errors },
      },
    },
    async (req) => {
      if (!g.bans.unban(req.params.target))
        throw new CodedError("NOT_FOUND", `${req.params.target} is not banned`);
      g.scores.reset(req.params.target);
      return { unbanned: true };
    },
  );

  app.get(
    "/stats",
    {
      schema: {
        tags,
        description: "Per-message-type counts and bytes, handshakes, disconnect reasons",
        response: { 200: GatewayStats },
      },
    },
    async () => ({
      peers: { inbound: g.manager.count("inbound"), outbound: g.manager.count("outbound") },
      ...g.metrics.snapshot(),
      seenCacheSize: g.seen.size,
    }),
  );
}
