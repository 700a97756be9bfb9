import { join } from "node:path";
import { VerifyPool } from "@p2pnode/crypto";
import type { ServiceDefinition } from "@p2pnode/kit";
import { Chain, defaultChainOptions } from "./chain.js";
import { serveDeliverySubjects } from "./delivery.js";
import { setupConsensus } from "./finality/setup.js";
import { ChainIntake } from "./intake.js";
import { validateStoredChain, withSnapshot } from "./integrity.js";
import { setupLightChain } from "./light/light-service.js";
import { ChainMetrics } from "./metrics.js";
import { busEvents, serveChainSubjects } from "./nats.js";
import { blockRoutes } from "./routes/blocks.js";
import type { RouteDeps } from "./routes/deps.js";
import { shieldedRoutes } from "./routes/shielded.js";
import { stateRoutes } from "./routes/state.js";
import { syncRoute } from "./routes/sync.js";
import { txRoutes } from "./routes/txs.js";
import { validateRoute } from "./routes/validate.js";
import { ChainStore, defaultFlushPolicy } from "./store.js";
import { SyncLoop } from "./sync/sync-loop.js";
import { defaultTemplateOptions } from "./template.js";

export const VERSION = "0.1.0";

/** The store's file inside the node's data dir. */
export const chainStoreFile = (dataDir: string): string => join(dataDir, "chain", "chain.sqlite");

/** How often the mempool drops txs past their TTL. */
const EXPIRE_EVERY_MS = 60_000;

/**
 * The chain service: genesis, validation, store, fork choice, mempool; REST routes and NATS
 * endpoints are thin edges over `Chain`. A light node runs it header-only (light/light-service.ts).
 */
export const chainService: ServiceDefinition = {
  name: "chain",
  version: VERSION,
  setup: async (ctx) => {
    // The network comes from the supervisor, which read and checked the genesis file once.
    const { genesis } = ctx.network;
    if (ctx.config.role === "light") return setupLightChain(ctx, genesis);
    const file = chainStoreFile(ctx.config.dataDir);
    const { blocks, rows } = ctx.config.chainFlush;
    const store = new ChainStore(file, {
      blocks: blocks ?? defaultFlushPolicy.blocks,
      rows: rows ?? defaultFlushPolicy.rows,
    });
    const chain = new Chain(defaultChainOptions, { genesis, store });
    const metrics = new ChainMetrics(ctx.metrics, chain);
    const events = busEvents(ctx.bus);
    // One pool per process: every signature of admission, relayed, mined and synced blocks.
    const verifier = new VerifyPool(
      ctx.config.verifyThreads === undefined ? {} : { threads: ctx.config.verifyThreads },
    );
    await verifier.start(); // threads loaded before the service is ready, not on the first request
    ctx.log.info({ threads: verifier.size, engine: verifier.engine }, "signature threads ready");
    metrics.showVerifyEngine(verifier.engine);
    const intake = new ChainIntake({
      chain,
      metrics,
      events,
      log: ctx.log,
      writable: ctx.writable,
      verifier,
    });
    metrics.watchAdmission(intake.admission.stats);
    const { bootnodes, dnsSeeds, p2pPeers } = ctx.config;
    const sync = new SyncLoop({
      chain,
      bus: ctx.bus,
      intake,
      log: ctx.log,
      hasPeersToFind: bootnodes.length + dnsSeeds.length + p2pPeers.length > 0,
    });
    ctx.readiness.store = () => ({ ok: store.db.open });
    // Syncing stays ready: the node serves what it has and accepts txs meanwhile; the detail says
    // how far behind it is, and GET /sync has the numbers.
    ctx.readiness.sync = () => {
      const s = sync.status();
      return {
        ok: true,
        detail: s.syncing
          ? `syncing ${s.height}/${s.bestKnownHeight} at ${s.blocksPerSecond} blocks/s`
          : `synced at ${s.height}`,
      };
    };
    ctx.log.info(
      {
        ...chain.tip(),
        genesis: Buffer.from(chain.genesisHash).toString("hex"),
        replayedBlocks: chain.replayedBlocks,
      },
      "chain store open",
    );

    const deps: RouteDeps = {
      chain,
      intake,
      validate: (signatures) => {
        // The snapshot is another connection: it reads the tables, not what waits in memory.
        store.flush();
        return withSnapshot(file, (snapshot) =>
          validateStoredChain(snapshot, genesis, { retarget: chain.retarget, signatures, yieldEvery: 50 }),
        );
      },
    };
    blockRoutes(ctx.app, deps);
    txRoutes(ctx.app, deps);
    stateRoutes(ctx.app, deps);
    shieldedRoutes(ctx.app, deps);
    validateRoute(ctx.app, deps);
    syncRoute(ctx.app, sync);
    // Dolev-Strong: blocks come final with certificates (finality/); headers-first PoW sync is off,
    // so it does not hold templates back either.
    const consensus = chain.finality !== undefined;
    await serveChainSubjects(ctx.bus, {
      chain,
      intake,
      template: defaultTemplateOptions,
      notMiningYet: () => (consensus ? undefined : sync.notMiningYet()),
    });
    await serveDeliverySubjects(ctx.bus, chain);
    const stopConsensus = consensus ? await setupConsensus(ctx, chain, events) : undefined;
    if (!stopConsensus) sync.start();

    const expire = setInterval(() => chain.expireMempool(), EXPIRE_EVERY_MS);
    expire.unref();
    return async () => {
      clearInterval(expire);
      stopConsensus?.();
      sync.stop();
      intake.admission.close();
      events.flush(); // what was accepted is announced before the bus closes
      await verifier.close();
      store.close();
    };
  },
};
