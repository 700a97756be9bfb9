import { availableParallelism } from "node:os";
import { addressHexOf, loadOrCreateIdentity } from "@p2pnode/crypto";
import { requireAdmin, type ServiceContext, type ServiceDefinition } from "@p2pnode/kit";
import {
  ChainSubjects,
  CodedError,
  consensusParams,
  ErrorBody,
  MINES_BY_DEFAULT,
  type RejectReason,
} from "@p2pnode/types";
import { z } from "zod";
import { defaultMinerOptions, Miner } from "./miner.js";

export const VERSION = "0.1.0";

const MinerStatusJson = z.object({
  mining: z.boolean(),
  workers: z.number().int(),
  address: z.string(),
  hashrate: z.number().describe("hashes per second over the last 10 s"),
  hashes: z.number(),
  workersHashing: z.number().int().describe("threads that have hashed on the current template"),
  blocksFound: z.number().int(),
  blocksRejected: z.number().int(),
  templateHeight: z.number().int().nullable(),
  lastBlock: z.object({ hash: z.string(), height: z.number().int(), at: z.number() }).nullable(),
  waiting: z
    .string()
    .nullable()
    .describe("why the chain gives no block template now (e.g. initial sync), null when it does"),
});

/** How long to wait for more mempool changes before rebuilding the template. */
const TX_REFRESH_DEBOUNCE_MS = 500;

function createMiner(ctx: ServiceContext): Miner {
  const { config, bus, log } = ctx;
  const address = config.minerAddress ?? addressHexOf(loadOrCreateIdentity(config.dataDir).publicKey);
  return new Miner(
    { ...defaultMinerOptions, workers: config.minerThreads ?? availableParallelism(), address },
    {
      log,
      chain: {
        template: (miner) => bus.request(ChainSubjects.templateGet, { miner }, 10_000),
        submit: (block) => bus.request(ChainSubjects.blockSubmit, { block, source: "miner" }, 30_000),
      },
    },
  );
}

/** The miner service: proof-of-work in worker threads on the chain's block template. */
export const minerService: ServiceDefinition = {
  name: "miner",
  version: VERSION,
  setup: async (ctx) => {
    const miner = createMiner(ctx);
    // A dolev-strong network takes blocks only with validator certificates: proof of work is moot.
    const validatorNetwork = consensusParams(ctx.network.genesis).kind === "dolev-strong";
    const admin = requireAdmin(ctx.config.apiToken);

    ctx.bus.subscribe(ChainSubjects.blockAccepted, () => miner.refresh("new block"));
    let txTimer: NodeJS.Timeout | undefined;
    ctx.bus.subscribe(ChainSubjects.txAccepted, () => {
      txTimer ??= setTimeout(() => {
        txTimer = undefined;
        void miner.refresh("mempool changed");
      }, TX_REFRESH_DEBOUNCE_MS);
    });

    const tags = ["miner"];
    ctx.app.get("/status", { schema: { tags, response: { 200: MinerStatusJson } } }, async () =>
      miner.status(),
    );
    ctx.app.post(
      "/start",
      {
        preHandler: admin,
        schema: {
          tags,
          description: "start mining (admin token)",
          response: { 200: MinerStatusJson, 409: ErrorBody },
        },
      },
      async () => {
        if (validatorNetwork) {
          throw new CodedError<RejectReason>(
            "NOT_POW_NETWORK",
            "this network's blocks come from its validators (consensus.kind dolev-strong): nothing to mine",
            undefined,
            409,
          );
        }
        miner.start();
        return miner.status();
      },
    );
    ctx.app.post(
      "/stop",
      {
        preHandler: admin,
        schema: { tags, description: "stop mining (admin token)", response: { 200: MinerStatusJson } },
      },
      async () => {
        await miner.stop();
        return miner.status();
      },
    );

    if (MINES_BY_DEFAULT[ctx.config.role] && !validatorNetwork) miner.start();
    return async () => {
      clearTimeout(txTimer);
      await miner.stop();
    };
  },
};
