import { z } from "zod";
import { DHT_MAX_VALUE_BYTES } from "./dht.js";
import { endpoint, event } from "./subjects.js";
import { ZKP_MAX_PROOF_BYTES } from "./zkp.js";

/*
 * The compute service's contract (services/compute), shared by REST, NATS and the SDK. Functions
 * are JavaScript source run in a QuickJS-in-WebAssembly sandbox; a function is named by the
 * SHA-256 of its canonical encoding (packages/codec, compute.ts), which is also its DHT key.
 * Inputs and results are JSON values; replicas compare the SHA-256 of the canonical bytes.
 */

/** Largest function source: its encoding must fit one DHT value (64 KiB) with room to spare. */
export const COMPUTE_MAX_SOURCE_BYTES = 48 * 1024;
/** Largest single input of a task, as canonical JSON bytes. */
export const COMPUTE_MAX_INPUT_BYTES = 64 * 1024;
/** Most inputs (jobs) in one task. */
export const COMPUTE_MAX_INPUTS = 10_000;
/** Largest POST /tasks body: inputs are capped one by one and in total. */
export const COMPUTE_MAX_TASK_BODY_BYTES = 8 * 1024 * 1024;
/** Largest result of one job (canonical JSON bytes); a bigger one is the deterministic RESULT_TOO_LARGE. */
export const COMPUTE_MAX_RESULT_BYTES = 256 * 1024;
/** Largest aggregate of a task (the ordered list of results, or the reduce function's value). */
export const COMPUTE_MAX_TASK_RESULT_BYTES = 8 * 1024 * 1024;
/** Most distinct workers one job may be sent to at once. */
export const COMPUTE_MAX_REPLICATION = 16;

if (COMPUTE_MAX_SOURCE_BYTES + 1024 > DHT_MAX_VALUE_BYTES)
  throw new TypeError("a function's encoding must fit one DHT value");

export const ComputeHash = z.string().regex(/^[0-9a-f]{64}$/, "SHA-256 as 64 lowercase hex characters");

/** Resource envelope of a function: part of its identity (hashed), and the cap for its tasks. */
export const FunctionLimits = z
  .object({
    /** Heap of the sandbox's QuickJS runtime; going over it is MEMORY_LIMIT. */
    memoryBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(512 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    /**
     * Instruction budget of one run, counted by QuickJS's interrupt counter (about two per loop
     * iteration or call); exhausting it is BUDGET_EXCEEDED, at the same point on every replica.
     */
    budget: z.number().int().min(100_000).max(1e12).default(2e9),
    /** Wall-clock limit of one run; tasks may ask for less (`deadlineMs`), never more. */
    timeoutMs: z.number().int().min(10).max(600_000).default(30_000),
  })
  .strict();
export type FunctionLimits = z.infer<typeof FunctionLimits>;

export const FunctionRegisterRequest = z
  .object({
    /** A script whose completion value is a function, e.g. `(x) => x * 2`. */
    source: z.string().min(1),
    limits: FunctionLimits.default({
      memoryBytes: 64 * 1024 * 1024,
      budget: 2e9,
      timeoutMs: 30_000,
    }),
  })
  .strict();
export type FunctionRegisterRequest = z.input<typeof FunctionRegisterRequest>;

export const ComputeFunction = z.object({
  hash: ComputeHash,
  source: z.string(),
  limits: FunctionLimits,
  /** Bytes of the canonical encoding (what the DHT stores under `hash`). */
  encodedBytes: z.number().int(),
  registeredAt: z.number().int(),
  /** Remote DHT nodes holding a copy after registration (0 when the DHT was unreachable). */
  dhtReplicas: z.number().int().nonnegative(),
});
export type ComputeFunction = z.infer<typeof ComputeFunction>;

export const FunctionRef = z.object({ hash: ComputeHash }).strict();

export const TaskSubmitRequest = z
  .object({
    function: ComputeHash,
    /** One job per input, each a JSON value passed to the function. */
    inputs: z.array(z.json()).min(1).max(COMPUTE_MAX_INPUTS),
    /** Distinct workers each job runs on (adaptive replication may run trusted workers alone). */
    replication: z.number().int().min(1).max(COMPUTE_MAX_REPLICATION).default(1),
    /** Agreeing results that accept a job; default: a majority of `replication`. */
    quorum: z.number().int().min(1).max(COMPUTE_MAX_REPLICATION).optional(),
    /** Wall-clock limit of one attempt; default and cap: the function's timeoutMs. */
    deadlineMs: z.number().int().min(10).max(600_000).optional(),
    /** Instruction budget of one run; default and cap: the function's budget. */
    budget: z.number().int().min(100_000).max(1e12).optional(),
    /** A registered function run once over the ordered results; its value is the task's result. */
    reduce: ComputeHash.optional(),
    /** Seeds the sandbox's Math.random (per job); same seed, same numbers on every replica. */
    seed: z
      .string()
      .regex(/^[0-9a-f]{1,64}$/)
      .optional(),
    /** Adaptive replication: workers with a long record of agreeing results run alone, spot-checked. */
    adaptive: z.boolean().default(true),
  })
  .strict();
export type TaskSubmitRequest = z.input<typeof TaskSubmitRequest>;

/**
 * The `Idempotency-Key` header of POST /tasks: a client's name for one submission (a UUID, say),
 * so that sending it again after a lost answer returns the task it made instead of a second task.
 * Visible ASCII, 1 to 255 characters.
 */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only");

export const TaskStatus = z.enum(["running", "done", "failed"]);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const JobStatus = z.enum(["pending", "running", "accepted", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatus>;
export const AttemptStatus = z.enum(["running", "ok", "error", "timeout", "refused", "lost"]);
export type AttemptStatus = z.infer<typeof AttemptStatus>;

export const ComputeErrorInfo = z.object({ code: z.string(), message: z.string() });

export const AttemptView = z.object({
  worker: z.string(),
  status: AttemptStatus,
  resultHash: ComputeHash.nullable(),
  /** Whether this result matched the accepted one (null until the job is decided). */
  agreed: z.boolean().nullable(),
  error: ComputeErrorInfo.nullable(),
  instructions: z.number().nullable(),
  ms: z.number().nullable(),
  spotCheck: z.boolean(),
});
export type AttemptView = z.infer<typeof AttemptView>;

export const JobView = z.object({
  index: z.number().int(),
  status: JobStatus,
  attempts: z.array(AttemptView),
  /** Votes for the leading result hash and the votes needed. */
  agreement: z.object({ votes: z.number().int(), needed: z.number().int() }),
  resultHash: ComputeHash.nullable(),
  result: z.json().optional(),
  error: ComputeErrorInfo.nullable(),
});
export type JobView = z.infer<typeof JobView>;

export const JobCounts = z.object({
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
  pending: z.number().int(),
});
export type JobCounts = z.infer<typeof JobCounts>;

export const TaskView = z.object({
  id: z.string(),
  function: ComputeHash,
  reduce: ComputeHash.nullable(),
  status: TaskStatus,
  replication: z.number().int(),
  quorum: z.number().int(),
  deadlineMs: z.number().int(),
  budget: z.number(),
  adaptive: z.boolean(),
  createdAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  jobs: JobCounts,
  /** Every attempt so far, and how many were re-runs after a timeout, refusal or disagreement. */
  attempts: z.object({ total: z.number().int(), retried: z.number().int() }),
  /** The reduce function's value, or the ordered list of job results. */
  result: z.json().optional(),
  resultHash: ComputeHash.nullable(),
  error: ComputeErrorInfo.nullable(),
  /** Per job detail, when asked for (`?jobs=1`). */
  jobList: z.array(JobView).optional(),
});
export type TaskView = z.infer<typeof TaskView>;

/** A task in a list (GET /tasks): its progress and the workers its attempts ran on, no results. */
export const TaskSummary = TaskView.omit({ result: true, jobList: true }).extend({
  workers: z
    .array(
      z.object({
        id: z.string().max(128),
        /** Attempts on this worker: all, still running, and finished with a result. */
        attempts: z.number().int(),
        running: z.number().int(),
        ok: z.number().int(),
      }),
    )
    .max(256),
});
export type TaskSummary = z.infer<typeof TaskSummary>;
/** Most tasks one list answer holds. */
export const TASK_LIST_MAX = 50;
export const TaskListRequest = z
  .object({
    limit: z.number().int().min(1).max(TASK_LIST_MAX).default(20),
    status: TaskStatus.optional(),
  })
  .strict();
export const TaskList = z.object({ tasks: z.array(TaskSummary).max(TASK_LIST_MAX) });
export type TaskList = z.infer<typeof TaskList>;

export const TaskRef = z.object({ id: z.string().min(1).max(64) }).strict();
export const TaskGetRequest = TaskRef.extend({
  /** Include per-job detail (a page of it). */
  jobs: z.boolean().default(false),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
}).strict();

/** A change of a task's progress: an attempt finished, a job was decided, the task ended. */
export const TaskEvent = z.object({
  taskId: z.string(),
  type: z.enum(["snapshot", "attempt", "job", "done", "failed"]),
  jobs: JobCounts,
  job: z.number().int().optional(),
  worker: z.string().optional(),
  status: z.string().optional(),
  at: z.number().int(),
});
export type TaskEvent = z.infer<typeof TaskEvent>;

export const ComputeSubjects = {
  functionRegister: endpoint({
    service: "compute",
    subject: "compute.v1.function.register",
    request: FunctionRegisterRequest,
    reply: ComputeFunction,
    description: "Check, store and publish (DHT) a function; replies with its content hash.",
  }),
  functionGet: endpoint({
    service: "compute",
    subject: "compute.v1.function.get",
    request: FunctionRef,
    reply: ComputeFunction,
    description: "A function by hash, from the local store or the DHT (verified by hash).",
  }),
  taskSubmit: endpoint({
    service: "compute",
    subject: "compute.v1.task.submit",
    request: TaskSubmitRequest,
    reply: TaskView,
    description: "Persist a task (one job per input) and schedule it; the reply is an acknowledgement.",
  }),
  taskGet: endpoint({
    service: "compute",
    subject: "compute.v1.task.get",
    request: TaskGetRequest,
    reply: TaskView,
    description: "A task's progress and, once done, its result.",
  }),
  taskList: endpoint({
    service: "compute",
    subject: "compute.v1.task.list",
    request: TaskListRequest,
    reply: TaskList,
    description: "The newest tasks (optionally of one status) with their progress and workers.",
  }),
  taskProgress: event({
    subject: "compute.v1.task.progress",
    payload: TaskEvent,
    description: "A task's progress changed (attempt finished, job decided, task ended).",
  }),
} as const;

/*
 * Jobs on peers (services/compute/README.md "Jobs on peers"): the compute service asks its
 * gateway to offer a job attempt to one peer; the peer's gateway asks its own compute service to
 * run it. Bytes travel as base64.
 */

/** The zkp AIR a proved job's result is proved with ("": none, replicas vote). */
export const ProvedKind = z.enum(["", "rescue-chain"]);

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");

export const RemoteJob = z
  .object({
    functionHash: ComputeHash,
    /** The function's canonical encoding; the worker checks that it hashes to functionHash. */
    fn: Base64.max(Math.ceil((64 * 1024) / 3) * 4),
    input: z.string().max(COMPUTE_MAX_INPUT_BYTES),
    /** 32 hex characters, or absent. */
    seed: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional(),
    limits: z.object({
      memoryBytes: z.number().int().min(0),
      budget: z.number().int().min(0),
      deadlineMs: z.number().int().min(1).max(600_000),
    }),
    proved: ProvedKind.default(""),
  })
  .strict();
export type RemoteJob = z.input<typeof RemoteJob>;

/** One attempt's answer as the scheduler sees it (`result`: a value or deterministic error). */
export const RemoteAttempt = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("result"),
    ok: z.boolean(),
    json: z.string().max(COMPUTE_MAX_RESULT_BYTES).optional(),
    code: z.string().max(40).optional(),
    message: z.string().max(512).optional(),
    instructions: z.number().int().min(0),
    ms: z.number().min(0),
    /** Base64 STARK proof of a proved job's value. */
    proof: Base64.max(Math.ceil(ZKP_MAX_PROOF_BYTES / 3) * 4).optional(),
  }),
  z.object({
    kind: z.literal("failed"),
    code: z.string().max(40),
    message: z.string().max(512),
    refused: z.boolean().optional(),
  }),
]);
export type RemoteAttempt = z.infer<typeof RemoteAttempt>;

const PeerHex = z.string().regex(/^[0-9a-f]{64}$/);

export const ComputeRelaySubjects = {
  jobOffer: endpoint({
    service: "gateway",
    subject: "gateway.v1.compute-job.offer",
    request: z.object({ peer: PeerHex, job: RemoteJob, timeoutMs: z.number().int().min(1) }).strict(),
    reply: RemoteAttempt,
    description:
      "Offers one job attempt to a peer (computeJob) and replies with its computeResult, or a failure (timeout, disconnect, refusal).",
  }),
  workersList: endpoint({
    service: "gateway",
    subject: "gateway.v1.compute-workers.list",
    request: z.object({}).strict(),
    reply: z.object({ workers: z.array(z.object({ id: PeerHex, slots: z.number().int().min(0) })) }),
    description: "Connected peers that advertise compute capacity, with their job slots.",
  }),
  workerPenalise: event({
    subject: "gateway.v1.compute-worker.penalise",
    payload: z.object({ peer: PeerHex, reason: z.string().max(200) }),
    description: "A peer's compute result lost to the quorum or its proof failed: lowers its peer score.",
  }),
  jobRun: endpoint({
    service: "compute",
    subject: "compute.v1.job.run",
    request: z.object({ from: PeerHex, job: RemoteJob }).strict(),
    reply: RemoteAttempt,
    description: "Runs a job a peer offered in this node's sandbox (refuses with QUEUE_FULL when full).",
  }),
  capacityAnnounce: event({
    subject: "compute.v1.capacity.announce",
    payload: z.object({ slots: z.number().int().min(0).max(1024) }),
    description: "Job slots this node offers its peers; repeated every few seconds (silence means none).",
  }),
} as const;
