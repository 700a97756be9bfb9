import type { ServiceDefinition } from "@p2pnode/kit";
import type { ProveInput } from "@p2pnode/stark";
import {
  CodedError,
  ErrorBody,
  type RelayedCode,
  ZkpJob,
  ZkpJobRef,
  ZkpProveRequest,
  ZkpSpendRequest,
  ZkpSubjects,
  ZkpVerifyReply,
  ZkpVerifyRequest,
} from "@p2pnode/types";
import type { z } from "zod";
import { defaultZkpOptions, type ZkpOptions } from "./config.js";
import { ProverPool } from "./prover-pool.js";
import { verifyStatement } from "./verify-statement.js";

export const VERSION = "0.1.0";

type ParsedProve = z.infer<typeof ZkpProveRequest>;

function toJob(req: ParsedProve) {
  const { security, wait: _wait, ...input } = req;
  return { input: input as ProveInput, security };
}

/**
 * The zkp service: STARK proving (in worker threads, queued, size-gated) and verification over
 * REST and NATS. Both edges call the same three operations: create, job status, verify.
 */
export function createZkpService(options: Partial<ZkpOptions> = {}): ServiceDefinition {
  const opts: ZkpOptions = { ...defaultZkpOptions, ...options };
  return {
    name: "zkp",
    version: VERSION,
    setup: async (ctx) => {
      const pool = new ProverPool(opts);
      ctx.readiness.provers = () => ({ ok: pool.alive, detail: JSON.stringify(pool.stats) });

      /** Queues the job; waits for it when asked and small enough. Returns the job and whether it finished. */
      const create = async (req: ParsedProve): Promise<z.infer<typeof ZkpJob>> => {
        const job = toJob(req);
        const rows = pool.checkSize(job);
        const queued = pool.submit(job);
        if (!req.wait || rows > opts.syncMaxRows) return queued;
        const done = await pool.wait(queued.jobId);
        if (done.status === "failed" && done.error) {
          const status = done.error.code === "INTERNAL" ? 500 : undefined;
          // The prover thread's code (StarkErrorCode, ShieldedErrorCode or shared), passed on.
          throw new CodedError<RelayedCode>(done.error.code, done.error.message, undefined, status);
        }
        return done;
      };
      const getJob = (jobId: string) => {
        const job = pool.get(jobId);
        if (!job)
          throw new CodedError("NOT_FOUND", `no job ${jobId} (finished jobs are kept for a while only)`);
        return job;
      };

      const errors = { 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody };
      ctx.app.post(
        "/proofs",
        {
          schema: {
            tags: ["zkp"],
            summary:
              "Prove a statement; 200 with the proof, or 202 with a job id for large or wait=false requests",
            body: ZkpProveRequest,
            response: { 200: ZkpJob, 202: ZkpJob, ...errors },
          },
        },
        async (request, reply) => {
          const job = await create(request.body);
          return reply.status(job.status === "done" ? 200 : 202).send(job);
        },
      );
      ctx.app.get(
        "/proofs/jobs/:jobId",
        { schema: { tags: ["zkp"], params: ZkpJobRef, response: { 200: ZkpJob, ...errors } } },
        async (request) => getJob(request.params.jobId),
      );
      ctx.app.post(
        "/proofs/verify",
        {
          schema: {
            tags: ["zkp"],
            summary: "Verify a proof against its statement",
            body: ZkpVerifyRequest,
            response: { 200: ZkpVerifyReply, ...errors },
          },
        },
        async (request) => verifyStatement(request.body),
      );

      ctx.app.post(
        "/spends",
        {
          schema: {
            tags: ["zkp"],
            summary:
              "Prove a shielded spend for a wallet of this node (ZK): 202 with a job id whose progress shows the prover phases, or 200 when wait=true",
            body: ZkpSpendRequest,
            response: { 200: ZkpJob, 202: ZkpJob, ...errors },
          },
        },
        async (request, reply) => {
          const queued = pool.submit({ spend: request.body.witness });
          const job = request.body.wait ? await pool.wait(queued.jobId) : queued;
          if (job.status === "failed" && job.error) {
            // The prover thread's code, passed on as for /prove.
            throw new CodedError<RelayedCode>(
              job.error.code,
              job.error.message,
              undefined,
              job.error.code === "INTERNAL" ? 500 : 400,
            );
          }
          return reply.status(job.status === "done" ? 200 : 202).send(job);
        },
      );

      await ctx.bus.serve(ZkpSubjects.proofCreate, create);
      await ctx.bus.serve(ZkpSubjects.proofVerify, verifyStatement);
      await ctx.bus.serve(ZkpSubjects.jobGet, (req) => getJob(req.jobId));
      ctx.log.info({ workers: opts.workers, maxTraceRows: opts.maxTraceRows }, "zkp prover pool started");
      return () => pool.stop();
    },
  };
}

/** The service with default options (main.ts builds it from the environment instead). */
export const zkpService: ServiceDefinition = createZkpService();
