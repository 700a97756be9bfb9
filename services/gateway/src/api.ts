import { join } from "node:path";
import { loadOrCreateIdentity, VerifyPool } from "@p2pnode/crypto";
import { openDatabase, type ServiceDefinition } from "@p2pnode/kit";
import { ChainDeliverySubjects, ChainSubjects, DhtSubjects, GatewaySubjects } from "@p2pnode/types";
import { BAN_MIGRATIONS } from "./bans.js";
import { type ChainPort, natsChainPort } from "./chain-port.js";
import { serveComputeSubjects } from "./compute-subjects.js";
import { serveConsensusSubjects } from "./consensus-subjects.js";
import { dashboardRoutes } from "./dashboard-routes.js";
import { watchDnsSeeds } from "./dns-seeds.js";
import { Gateway } from "./gateway.js";
import { networkIdOf } from "./network-id.js";
import { type GatewayOptions, gatewayOptionsFromConfig } from "./options.js";
import { natsInventory, Reconciler } from "./reconcile.js";
import { gatewayRoutes, peerList } from "./routes.js";
import { serveSyncSubjects } from "./sync-subjects.js";

export const VERSION = "0.1.0";

/**
 * Bootnodes are DHT UDP endpoints; a node's P2P port sits 300 below its DHT UDP port in every
 * layout we ship (container 7401 → 7101, devnet base+401 → base+101). DHT records replace the
 * guess with the real port once they arrive.
 */
export const BOOTNODE_P2P_OFFSET = -300;

export interface GatewayServiceOverrides {
  options?: Partial<GatewayOptions>;
  /** Replaces the chain over NATS (benchmarks). */
  chain?: ChainPort;
  /** Gives tests the running core. */
  onStart?: (g: Gateway) => void;
}

/** The gateway service definition; tests build variants with other options. */
export function createGatewayService(over: GatewayServiceOverrides = {}): ServiceDefinition {
  return {
    name: "gateway",
    version: VERSION,
    setup: async (ctx) => {
      const { config, bus, log } = ctx;
      const options = gatewayOptionsFromConfig(config, over.options);
      const identity = loadOrCreateIdentity(config.dataDir);
      const network = networkIdOf(ctx.network);
      const db = openDatabase(join(config.dataDir, "gateway", "bans.sqlite"), BAN_MIGRATIONS);
      let reconciler: Reconciler | undefined;
      // One pool per process: handshake identity proofs are verified off the event loop.
      const verifier = new VerifyPool(
        config.verifyThreads === undefined ? {} : { threads: config.verifyThreads },
      );
      await verifier.start(); // threads loaded before the first handshake, not during it
      log.info({ threads: verifier.size, engine: verifier.engine }, "signature threads ready");
      const g = new Gateway(options, {
        verifier,
        chain: over.chain ?? natsChainPort(bus),
        log,
        registry: ctx.metrics,
        identity,
        network,
        db,
        agent: `p2pnode-gateway/${VERSION}`,
        onConnected: (p) => {
          bus.publish(GatewaySubjects.peerConnected, {
            id: p.id,
            address: p.address,
            direction: p.info.direction,
            height: p.height,
          });
          void reconciler?.onPeer(p);
        },
        onDisconnected: (p, reason) =>
          bus.publish(GatewaySubjects.peerDisconnected, { id: p.id, address: p.address, reason }),
        onPeerTip: (p) =>
          bus.publish(GatewaySubjects.peerTip, { peer: p.id, totalWork: p.totalWork, height: p.height }),
      });
      bus.subscribe(ChainSubjects.blockAccepted, (e) => g.onChainBlock(e));
      bus.subscribe(ChainSubjects.txAccepted, (e) => g.onChainTx(e));
      reconciler = new Reconciler(options, {
        inventory: natsInventory(bus),
        reannounce: (ids, to) => g.relay.reannounce(ids, to),
        adoptTip: (tip) => g.adoptTip(tip),
        log,
      });
      bus.subscribe(ChainDeliverySubjects.started, () => reconciler?.reconcile());
      bus.subscribe(DhtSubjects.peerFound, (r) => {
        if (r.wsPort > 0 && r.ip !== "0.0.0.0" && r.nodeId !== identity.nodeIdHex) {
          g.manager.addCandidate(r.ip, r.wsPort, "dht", r.nodeId);
        }
      });
      await bus.serve(GatewaySubjects.peerList, () => peerList(g));
      await serveSyncSubjects(bus, g);
      await serveComputeSubjects(bus, g);
      const stopConsensus = await serveConsensusSubjects(bus, g, ctx.network.genesis);
      if (options.discovery) {
        for (const b of config.bootnodes) {
          const i = b.lastIndexOf(":");
          g.manager.addCandidate(
            b.slice(0, i).replace(/^\[|\]$/g, ""),
            Number(b.slice(i + 1)) + BOOTNODE_P2P_OFFSET,
            "bootnode",
          );
        }
      }
      const stopSeeds = options.discovery
        ? watchDnsSeeds(
            config.dnsSeeds,
            config.ports.p2p,
            (ip, port) => g.manager.addCandidate(ip, port, "bootnode"),
            log,
          )
        : () => undefined;
      gatewayRoutes(ctx.app, g, config.apiToken);
      dashboardRoutes(ctx, g, `p2pnode-gateway/${VERSION}`);
      const host = config.p2pHost;
      await g.start(host, config.ports.p2p);
      reconciler.start();
      ctx.readiness.p2p = () => ({ ok: true, detail: `listening on ${host}:${config.ports.p2p}/p2p` });
      log.info(
        { nodeId: identity.nodeIdHex, port: config.ports.p2p, chainId: network.chainId },
        "p2p listening",
      );
      over.onStart?.(g);
      return async () => {
        stopSeeds();
        reconciler?.stop();
        stopConsensus();
        await g.stop();
        await verifier.close();
        db.close();
      };
    },
  };
}

export const gatewayService: ServiceDefinition = createGatewayService();
