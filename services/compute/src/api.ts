import type { ServiceDefinition } from "@p2pnode/kit";
import { ComputeSubjects, DhtSubjects } from "@p2pnode/types";
import { type ComputeOptions, defaultComputeOptions } from "./config.js";
import { ComputeCore, type ComputeCoreModules } from "./core.js";
import type { DhtPort } from "./functions.js";
import { registerRoutes } from "./routes.js";

export const VERSION = "0.1.0";

/** DHT requests can take a network lookup; registration waits this long for the copies. */
const DHT_TIMEOUT_MS = 10_000;

/**
 * The compute service: function registry, task scheduler and sandbox pool behind REST and NATS.
 * `transport` and `reputation` are the seams the P2P part fills (jobs on peers, the peer score).
 */
export function createComputeService(
  options: Partial<ComputeOptions> = {},
  seams: Pick<ComputeCoreModules, "transport" | "reputation"> = {},
): ServiceDefinition {
  const opts: ComputeOptions = { ...defaultComputeOptions, ...options };
  return {
    name: "compute",
    version: VERSION,
    setup: async (ctx) => {
      const dht: DhtPort = {
        put: async (bytes) =>
          (
            await ctx.bus.request(
              DhtSubjects.valuePut,
              { value: Buffer.from(bytes).toString("base64") },
              DHT_TIMEOUT_MS,
            )
          ).replicas,
        get: async (key) => {
          const v = await ctx.bus.request(DhtSubjects.valueGet, { key }, DHT_TIMEOUT_MS);
          return new Uint8Array(Buffer.from(v.value, "base64"));
        },
      };
      const core = new ComputeCore(opts, {
        dataDir: ctx.config.dataDir,
        log: ctx.log,
        dht,
        metrics: ctx.metrics,
        publish: (e) => ctx.bus.publish(ComputeSubjects.taskProgress, e),
        ...seams,
      });
      ctx.readiness.sandbox = () => ({ ok: core.pool.healthy, detail: JSON.stringify(core.pool.stats) });
      registerRoutes(ctx.app, core);
      await ctx.bus.serve(ComputeSubjects.functionRegister, (req) => core.register(req));
      await ctx.bus.serve(ComputeSubjects.functionGet, (req) => core.getFunction(req.hash));
      await ctx.bus.serve(ComputeSubjects.taskSubmit, (req) => core.submit(req));
      await ctx.bus.serve(ComputeSubjects.taskGet, (req) => core.task(req));
      core.start();
      ctx.log.info({ threads: opts.pool.threads, maxQueue: opts.pool.maxQueue }, "compute service started");
      return () => core.stop();
    },
  };
}

/** The service with default options (main.ts builds it from the environment instead). */
export const computeService: ServiceDefinition = createComputeService();
