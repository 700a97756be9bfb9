import type { ServiceDefinition } from "@p2pnode/kit";
import { ComputeRelaySubjects, ComputeSubjects, DhtSubjects, ZkpSubjects } from "@p2pnode/types";
import { Counter } from "prom-client";
import { type ComputeOptions, defaultComputeOptions } from "./config.js";
import { ComputeCore, type ComputeCoreModules } from "./core.js";
import type { DhtPort } from "./functions.js";
import { idempotencyKeyHeader } from "./idempotency.js";
import { defaultP2PTransportOptions, P2PTransport } from "./peers/p2p-transport.js";
import type { ZkpPort } from "./peers/proved.js";
import { RemoteJobs } from "./peers/remote-jobs.js";
import { registerRoutes } from "./routes.js";

export const VERSION = "0.1.0";

/** DHT requests can take a network lookup; registration waits this long for the copies. */
const DHT_TIMEOUT_MS = 10_000;
/** Proving a job's chain (at most 4,095 hashes) takes seconds; this bounds a stuck prover. */
const PROVE_TIMEOUT_MS = 120_000;
/** The gateway forgets our capacity after 7 s of silence; we repeat it more often than that. */
const CAPACITY_EVERY_MS = 2_000;

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
      const zkp: ZkpPort = {
        prove: async (req) => {
          const job = await ctx.bus.request(ZkpSubjects.proofCreate, req, PROVE_TIMEOUT_MS);
          const r = job.result;
          if (r?.statement.air !== "rescue-chain")
            throw new Error(`the zkp service did not prove the chain (${job.status})`);
          return { digest: r.statement.publicInputs.digest, proof: r.proof, proveMs: r.proveMs };
        },
        verify: (req) => ctx.bus.request(ZkpSubjects.proofVerify, req, DHT_TIMEOUT_MS),
      };
      const penalise = (peer: string, reason: string) =>
        ctx.bus.publish(ComputeRelaySubjects.workerPenalise, { peer, reason: reason.slice(0, 200) });
      let p2p: P2PTransport | undefined;
      const core: ComputeCore = new ComputeCore(opts, {
        dataDir: ctx.config.dataDir,
        log: ctx.log,
        dht,
        metrics: ctx.metrics,
        publish: (e) => ctx.bus.publish(ComputeSubjects.taskProgress, e),
        writable: ctx.writable,
        transport: (local): P2PTransport => {
          p2p = new P2PTransport(
            {
              local,
              zkp,
              log: ctx.log,
              functionBytes: (hash): Uint8Array | undefined => core.store.getFunction(hash)?.encoded,
              onBadProof: (worker, reason) => penalise(worker, `proof refused: ${reason}`),
              peers: {
                workers: async () =>
                  (await ctx.bus.request(ComputeRelaySubjects.workersList, {}, 2_000)).workers,
                offer: (peer, job, timeoutMs) =>
                  ctx.bus.request(ComputeRelaySubjects.jobOffer, { peer, job, timeoutMs }, timeoutMs + 2_000),
              },
            },
            defaultP2PTransportOptions,
          );
          return p2p;
        },
        reputation: (worker, d) => {
          ctx.log.warn({ worker, ...d }, "worker disagreed with the accepted result");
          if (worker !== "local")
            penalise(worker, `task ${d.taskId} job ${d.jobIndex}: outvoted (${d.resultHash.slice(0, 16)})`);
        },
        ...seams,
      });
      const remote = new RemoteJobs({ pool: core.pool, zkp, log: ctx.log });
      ctx.readiness.sandbox = () => ({ ok: core.pool.healthy, detail: JSON.stringify(core.pool.stats) });
      registerRoutes(ctx.app, core, {
        faults: remote.faults,
        devnet: ctx.config.devnet,
        apiToken: ctx.config.apiToken,
      });
      await ctx.bus.serve(ComputeSubjects.functionRegister, (req) => core.register(req));
      await ctx.bus.serve(ComputeSubjects.functionGet, (req) => core.getFunction(req.hash));
      await ctx.bus.serve(
        ComputeSubjects.taskSubmit,
        async (req, meta) => (await core.submit(req, idempotencyKeyHeader(meta))).task,
      );
      await ctx.bus.serve(ComputeSubjects.taskGet, (req) => core.task(req));
      await ctx.bus.serve(ComputeSubjects.taskList, (req) => core.tasks(req));
      const peerJobs = new Counter({
        name: "compute_peer_jobs_total",
        help: "jobs peers offered this node, by answer (result, an error code, QUEUE_FULL when refused)",
        labelNames: ["result"],
        registers: [ctx.metrics],
      });
      await ctx.bus.serve(ComputeRelaySubjects.jobRun, async (req) => {
        try {
          const r = await remote.run(req.job);
          peerJobs.inc({ result: r.kind === "result" ? "result" : r.code });
          return r;
        } catch (err) {
          peerJobs.inc({ result: (err as { code?: string }).code ?? "INTERNAL" });
          throw err;
        }
      });
      const announce = () =>
        ctx.bus.publish(ComputeRelaySubjects.capacityAnnounce, { slots: remote.capacity() });
      const capacityTimer = setInterval(announce, CAPACITY_EVERY_MS);
      announce();
      await p2p?.start();
      core.start();
      ctx.log.info({ threads: opts.pool.threads, maxQueue: opts.pool.maxQueue }, "compute service started");
      return async () => {
        clearInterval(capacityTimer);
        p2p?.stop();
        await core.stop();
      };
    },
  };
}

/** The service with default options (main.ts builds it from the environment instead). */
export const computeService: ServiceDefinition = createComputeService();
