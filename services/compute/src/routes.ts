import { type App, requireAdmin } from "@p2pnode/kit";
import {
  COMPUTE_MAX_TASK_BODY_BYTES,
  CodedError,
  ComputeFunction,
  ErrorBody,
  FunctionRef,
  FunctionRegisterRequest,
  IdempotencyKey,
  TASK_LIST_MAX,
  type TaskEvent,
  TaskList,
  TaskRef,
  TaskStatus,
  TaskSubmitRequest,
  TaskView,
} from "@p2pnode/types";
import { z } from "zod";
import type { ComputeCore } from "./core.js";
import { RESCUE_CHAIN_HASH } from "./peers/proved.js";
import type { WorkerFaults } from "./peers/remote-jobs.js";

export interface RouteExtras {
  faults: WorkerFaults;
  /** Fault injection exists only on a devnet (P2PNODE_DEVNET=1). */
  devnet: boolean;
  apiToken: string | undefined;
}

const FaultBody = z.object({ lie: z.boolean().optional(), tamperProofs: z.boolean().optional() }).strict();

const errors = { 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody, 503: ErrorBody };
const HEARTBEAT_MS = 15_000;

const TaskQuery = z.object({
  jobs: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const WorkersView = z.object({
  workers: z.array(
    z.object({
      id: z.string(),
      slots: z.number().int(),
      streak: z.number().int(),
      valid: z.number().int(),
      invalid: z.number().int(),
      errors: z.number().int(),
      trusted: z.boolean(),
      distrustedUntil: z.number().int(),
    }),
  ),
  sandbox: z.object({
    threads: z.number().int(),
    busy: z.number().int(),
    queued: z.number().int(),
    replaced: z.number().int(),
    maxThreads: z.number().int(),
    maxQueue: z.number().int(),
  }),
});

/** The compute service's REST routes (README.md lists them). */
export function registerRoutes(app: App, core: ComputeCore, extras?: RouteExtras): void {
  app.post(
    "/functions",
    {
      bodyLimit: 512 * 1024,
      schema: {
        tags: ["compute"],
        summary: "Register a function (checked in the sandbox, stored, published to the DHT)",
        body: FunctionRegisterRequest,
        response: { 201: ComputeFunction, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await core.register(req.body)),
  );
  app.get(
    "/functions/:hash",
    { schema: { tags: ["compute"], params: FunctionRef, response: { 200: ComputeFunction, ...errors } } },
    async (req) => core.getFunction(req.params.hash),
  );
  app.post(
    "/tasks",
    {
      bodyLimit: COMPUTE_MAX_TASK_BODY_BYTES,
      schema: {
        tags: ["compute"],
        summary:
          "Submit a task: one job per input; 202 once it is stored. With an Idempotency-Key that made a task before, that task again (Idempotent-Replayed: true); 422 IDEMPOTENCY_KEY_REUSED with another request",
        // Loose: validated headers replace request.headers, and the others (authorization) stay.
        headers: z.looseObject({ "idempotency-key": IdempotencyKey.optional() }),
        body: TaskSubmitRequest,
        response: { 202: TaskView, 422: ErrorBody, ...errors },
      },
    },
    async (req, reply) => {
      const { task, replayed } = await core.submit(req.body, req.headers["idempotency-key"]);
      if (replayed) reply.header("idempotent-replayed", "true");
      return reply.status(202).send(task);
    },
  );
  app.get(
    "/tasks",
    {
      schema: {
        tags: ["compute"],
        summary: "The newest tasks (of one status with ?status=) with progress and the workers they ran on",
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(TASK_LIST_MAX).default(20),
          status: TaskStatus.optional(),
        }),
        response: { 200: TaskList, ...errors },
      },
    },
    async (req) => core.tasks(req.query),
  );
  app.get(
    "/tasks/:id",
    {
      schema: {
        tags: ["compute"],
        summary: "A task's progress (jobs done/total; per job with ?jobs=1) and result",
        params: TaskRef,
        querystring: TaskQuery,
        response: { 200: TaskView, ...errors },
      },
    },
    async (req) => core.task({ id: req.params.id, ...req.query }),
  );
  app.get(
    "/tasks/:id/events",
    {
      schema: {
        tags: ["compute"],
        summary: "Server-sent events: a snapshot, then every attempt, job decision and the end",
        params: TaskRef,
      },
    },
    async (req, reply) => {
      const view = core.task({ id: req.params.id, jobs: false, offset: 0, limit: 1 });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      const send = (e: TaskEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      const base = { taskId: view.id, jobs: view.jobs, at: Date.now() };
      send({ ...base, type: "snapshot", status: view.status });
      if (view.status !== "running") {
        send({ ...base, type: view.status });
        res.end();
        return;
      }
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
      const unsubscribe = core.hub.subscribe(view.id, (e) => {
        send(e);
        if (e.type === "done" || e.type === "failed") close();
      });
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        res.end();
      };
      req.raw.once("close", close);
    },
  );
  app.get(
    "/workers",
    {
      schema: {
        tags: ["compute"],
        summary: "Workers this scheduler knows (trust record) and this node's sandbox pool",
        response: { 200: WorkersView },
      },
    },
    async () => core.workers(),
  );
  app.get(
    "/proved-functions",
    {
      schema: {
        tags: ["compute"],
        summary: "Functions whose results carry a STARK proof: a task names one by this hash",
        response: { 200: z.object({ functions: z.array(z.object({ air: z.string(), hash: z.string() })) }) },
      },
    },
    async () => ({ functions: [{ air: "rescue-chain", hash: RESCUE_CHAIN_HASH }] }),
  );
  if (!extras) return;
  // Devnet only: lets an e2e test make this node's worker lie or tamper with its proofs.
  app.post(
    "/admin/debug/fault",
    {
      preHandler: requireAdmin(extras.apiToken),
      schema: {
        tags: ["compute"],
        summary: "devnet only: make this node's worker lie or tamper with proofs (fault injection)",
        body: FaultBody,
        response: { 200: z.object({ lie: z.boolean(), tamperProofs: z.boolean() }), 403: ErrorBody },
      },
    },
    async (req) => {
      if (!extras.devnet)
        throw new CodedError("FORBIDDEN", "fault injection exists only on a devnet (P2PNODE_DEVNET=1)");
      Object.assign(extras.faults, req.body);
      return { ...extras.faults };
    },
  );
}
