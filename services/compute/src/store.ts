import { type Db, inTransaction, type Migration, openDatabase } from "@p2pnode/kit";
import type { AttemptStatus, FunctionLimits, JobStatus, TaskStatus } from "@p2pnode/types";

/*
 * The compute store: functions, tasks, jobs, finished attempts and what this scheduler knows of
 * each worker, in one SQLite file (WAL, synchronous=FULL). A task and its jobs commit before the
 * submit is acknowledged; an attempt's result and the job decision it causes commit together.
 */

const MIGRATIONS: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE functions (
        hash TEXT PRIMARY KEY, source TEXT NOT NULL, limits TEXT NOT NULL, encoded BLOB NOT NULL,
        registered_at INTEGER NOT NULL, dht_replicas INTEGER NOT NULL);
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL, function_hash TEXT NOT NULL, reduce_hash TEXT,
        replication INTEGER NOT NULL, quorum INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,
        budget INTEGER NOT NULL, seed TEXT, adaptive INTEGER NOT NULL, status TEXT NOT NULL,
        created_at INTEGER NOT NULL, finished_at INTEGER, result TEXT, result_hash TEXT, error TEXT,
        jobs_total INTEGER NOT NULL);
      CREATE INDEX tasks_status ON tasks(status, seq);
      CREATE TABLE jobs (
        task_id TEXT NOT NULL REFERENCES tasks(id), idx INTEGER NOT NULL, input TEXT NOT NULL,
        status TEXT NOT NULL, result TEXT, result_hash TEXT, error TEXT,
        PRIMARY KEY (task_id, idx)) WITHOUT ROWID;
      CREATE TABLE attempts (
        id INTEGER PRIMARY KEY, task_id TEXT NOT NULL, job_idx INTEGER NOT NULL, worker TEXT NOT NULL,
        status TEXT NOT NULL, result_hash TEXT, outcome TEXT, error TEXT, instructions INTEGER,
        ms REAL, spot_check INTEGER NOT NULL, agreed INTEGER, finished_at INTEGER NOT NULL);
      CREATE INDEX attempts_job ON attempts(task_id, job_idx);
      CREATE TABLE workers (
        id TEXT PRIMARY KEY, streak INTEGER NOT NULL, valid INTEGER NOT NULL, invalid INTEGER NOT NULL,
        errors INTEGER NOT NULL, distrusted_until INTEGER NOT NULL);
    `),
  // A client's Idempotency-Key (POST /tasks) and the SHA-256 of the request it came with: the
  // same key again returns this task; with another request, 422.
  (db) =>
    db.exec(`
      ALTER TABLE tasks ADD COLUMN idempotency_key TEXT;
      ALTER TABLE tasks ADD COLUMN request_hash TEXT;
      CREATE UNIQUE INDEX tasks_idempotency_key ON tasks(idempotency_key) WHERE idempotency_key IS NOT NULL;
    `),
];

/** A submission's Idempotency-Key and the hash of its request, stored with its task. */
export interface IdempotentSubmit {
  key: string;
  requestHash: string;
}

export interface StoredFunction {
  hash: string;
  source: string;
  limits: FunctionLimits;
  encoded: Uint8Array;
  registeredAt: number;
  dhtReplicas: number;
}

export interface TaskRow {
  id: string;
  functionHash: string;
  reduceHash: string | null;
  replication: number;
  quorum: number;
  deadlineMs: number;
  budget: number;
  seed: string | null;
  adaptive: boolean;
  status: TaskStatus;
  createdAt: number;
  finishedAt: number | null;
  result: string | null;
  resultHash: string | null;
  error: { code: string; message: string } | null;
  jobsTotal: number;
}

/** What a submission decides of a task; the rest is a new task's state (newTask). */
export type TaskSpec = Omit<
  TaskRow,
  "id" | "status" | "createdAt" | "finishedAt" | "result" | "resultHash" | "error"
>;

/** A task as it is stored when acknowledged: running, nothing decided yet. */
export function newTask(spec: TaskSpec, id: string, createdAt: number): TaskRow {
  return {
    ...spec,
    id,
    status: "running",
    createdAt,
    finishedAt: null,
    result: null,
    resultHash: null,
    error: null,
  };
}

export interface JobRow {
  taskId: string;
  index: number;
  input: string;
  status: JobStatus;
  result: string | null;
  resultHash: string | null;
  error: { code: string; message: string } | null;
}

export interface AttemptRow {
  taskId: string;
  jobIndex: number;
  worker: string;
  status: AttemptStatus;
  resultHash: string | null;
  /** The outcome's JSON (value or deterministic error), kept until the job is decided. */
  outcome: string | null;
  error: { code: string; message: string } | null;
  instructions: number | null;
  ms: number | null;
  spotCheck: boolean;
  agreed: boolean | null;
  finishedAt: number;
}

export interface WorkerRecord {
  id: string;
  /** Consecutive results that agreed with a quorum of other workers. */
  streak: number;
  valid: number;
  invalid: number;
  errors: number;
  /** Until then this scheduler sends it nothing (ms since epoch; 0: never caught). */
  distrustedUntil: number;
}

type Raw = Record<string, unknown>;
const json = <T>(v: unknown): T | null =>
  v === null || v === undefined ? null : (JSON.parse(String(v)) as T);

export class ComputeStore {
  readonly db: Db;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  putFunction(f: StoredFunction): void {
    this.db
      .prepare(
        `INSERT INTO functions (hash, source, limits, encoded, registered_at, dht_replicas)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(hash) DO UPDATE SET dht_replicas = MAX(dht_replicas, excluded.dht_replicas)`,
      )
      .run(f.hash, f.source, JSON.stringify(f.limits), f.encoded, f.registeredAt, f.dhtReplicas);
  }

  getFunction(hash: string): StoredFunction | undefined {
    const r = this.db.prepare("SELECT * FROM functions WHERE hash = ?").get(hash) as Raw | undefined;
    if (!r) return undefined;
    return {
      hash: String(r.hash),
      source: String(r.source),
      limits: JSON.parse(String(r.limits)) as FunctionLimits,
      encoded: new Uint8Array(r.encoded as Buffer),
      registeredAt: Number(r.registered_at),
      dhtReplicas: Number(r.dht_replicas),
    };
  }

  /** The task an Idempotency-Key made, with the hash of the request that made it. */
  taskByIdempotencyKey(key: string): { task: TaskRow; requestHash: string } | undefined {
    const r = this.db.prepare("SELECT * FROM tasks WHERE idempotency_key = ?").get(key) as Raw | undefined;
    return r && { task: taskFromRow(r), requestHash: String(r.request_hash) };
  }

  /** The task and all its jobs in one transaction: after it returns, the task survives a crash. */
  insertTask(t: TaskRow, inputs: readonly string[], idem?: IdempotentSubmit): void {
    const seq = (this.db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM tasks").get() as Raw).s;
    const insertTask = this.db.prepare(
      `INSERT INTO tasks (id, seq, function_hash, reduce_hash, replication, quorum, deadline_ms, budget,
         seed, adaptive, status, created_at, jobs_total, idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertJob = this.db.prepare(
      "INSERT INTO jobs (task_id, idx, input, status) VALUES (?, ?, ?, 'pending')",
    );
    this.tx(() => {
      insertTask.run(
        t.id,
        seq,
        t.functionHash,
        t.reduceHash,
        t.replication,
        t.quorum,
        t.deadlineMs,
        t.budget,
        t.seed,
        t.adaptive ? 1 : 0,
        t.status,
        t.createdAt,
        inputs.length,
        idem?.key ?? null,
        idem?.requestHash ?? null,
      );
      for (const [i, input] of inputs.entries()) insertJob.run(t.id, i, input);
    });
  }

  getTask(id: string): TaskRow | undefined {
    const r = this.db.prepare("SELECT * FROM tasks WHERE id = ?").get(id) as Raw | undefined;
    return r && taskFromRow(r);
  }

  tasksWithStatus(status: TaskStatus): TaskRow[] {
    const rows = this.db.prepare("SELECT * FROM tasks WHERE status = ? ORDER BY seq").all(status) as Raw[];
    return rows.map(taskFromRow);
  }

  /** The newest tasks first, optionally of one status. */
  recentTasks(limit: number, status?: TaskStatus): TaskRow[] {
    const rows = (
      status
        ? this.db.prepare("SELECT * FROM tasks WHERE status = ? ORDER BY seq DESC LIMIT ?").all(status, limit)
        : this.db.prepare("SELECT * FROM tasks ORDER BY seq DESC LIMIT ?").all(limit)
    ) as Raw[];
    return rows.map(taskFromRow);
  }

  finishTask(id: string, f: Pick<TaskRow, "status" | "result" | "resultHash" | "error">, at: number): void {
    this.db
      .prepare(
        "UPDATE tasks SET status = ?, result = ?, result_hash = ?, error = ?, finished_at = ? WHERE id = ?",
      )
      .run(f.status, f.result, f.resultHash, f.error && JSON.stringify(f.error), at, id);
  }

  jobs(taskId: string, offset = 0, limit = -1): JobRow[] {
    const rows = this.db
      .prepare("SELECT * FROM jobs WHERE task_id = ? ORDER BY idx LIMIT ? OFFSET ?")
      .all(taskId, limit, offset) as Raw[];
    return rows.map((r) => ({
      taskId: String(r.task_id),
      index: Number(r.idx),
      input: String(r.input),
      status: r.status as JobStatus,
      result: r.result === null ? null : String(r.result),
      resultHash: r.result_hash === null ? null : String(r.result_hash),
      error: json(r.error),
    }));
  }

  jobCounts(taskId: string): Record<JobStatus, number> {
    const rows = this.db
      .prepare("SELECT status, COUNT(*) AS n FROM jobs WHERE task_id = ? GROUP BY status")
      .all(taskId) as Raw[];
    const counts = { pending: 0, running: 0, accepted: 0, failed: 0, cancelled: 0 };
    for (const r of rows) counts[r.status as JobStatus] = Number(r.n);
    return counts;
  }

  setJob(taskId: string, index: number, j: Pick<JobRow, "status" | "result" | "resultHash" | "error">): void {
    this.db
      .prepare(
        "UPDATE jobs SET status = ?, result = ?, result_hash = ?, error = ? WHERE task_id = ? AND idx = ?",
      )
      .run(j.status, j.result, j.resultHash, j.error && JSON.stringify(j.error), taskId, index);
  }

  /** Marks the task's undecided jobs cancelled (the task failed). */
  cancelOpenJobs(taskId: string): void {
    this.db
      .prepare("UPDATE jobs SET status = 'cancelled' WHERE task_id = ? AND status IN ('pending', 'running')")
      .run(taskId);
  }

  insertAttempt(a: AttemptRow): void {
    this.db
      .prepare(
        `INSERT INTO attempts (task_id, job_idx, worker, status, result_hash, outcome, error, instructions,
           ms, spot_check, agreed, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.taskId,
        a.jobIndex,
        a.worker,
        a.status,
        a.resultHash,
        a.outcome,
        a.error && JSON.stringify(a.error),
        a.instructions,
        a.ms,
        a.spotCheck ? 1 : 0,
        a.agreed === null ? null : a.agreed ? 1 : 0,
        a.finishedAt,
      );
  }

  /** Once a job is decided: which results agreed, and the kept outcomes are dropped. */
  judgeAttempts(taskId: string, jobIndex: number, acceptedHash: string | null): void {
    this.db
      .prepare(
        `UPDATE attempts SET agreed = CASE WHEN result_hash IS NULL THEN NULL ELSE result_hash = ? END,
           outcome = NULL WHERE task_id = ? AND job_idx = ?`,
      )
      .run(acceptedHash, taskId, jobIndex);
  }

  attempts(taskId: string, jobIndex?: number): AttemptRow[] {
    const rows = (
      jobIndex === undefined
        ? this.db.prepare("SELECT * FROM attempts WHERE task_id = ? ORDER BY id").all(taskId)
        : this.db
            .prepare("SELECT * FROM attempts WHERE task_id = ? AND job_idx = ? ORDER BY id")
            .all(taskId, jobIndex)
    ) as Raw[];
    return rows.map((r) => ({
      taskId: String(r.task_id),
      jobIndex: Number(r.job_idx),
      worker: String(r.worker),
      status: r.status as AttemptStatus,
      resultHash: r.result_hash === null ? null : String(r.result_hash),
      outcome: r.outcome === null ? null : String(r.outcome),
      error: json(r.error),
      instructions: r.instructions === null ? null : Number(r.instructions),
      ms: r.ms === null ? null : Number(r.ms),
      spotCheck: r.spot_check === 1,
      agreed: r.agreed === null ? null : r.agreed === 1,
      finishedAt: Number(r.finished_at),
    }));
  }

  attemptCounts(taskId: string): { total: number; retried: number } {
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS total, SUM(CASE WHEN status IN ('timeout', 'refused')
           OR (status = 'error' AND result_hash IS NULL) OR agreed = 0 THEN 1 ELSE 0 END) AS retried
         FROM attempts WHERE task_id = ?`,
      )
      .get(taskId) as Raw;
    return { total: Number(r.total), retried: Number(r.retried ?? 0) };
  }

  /** A task's finished attempts per worker: all, and those that returned a result. */
  attemptsByWorker(taskId: string, max: number): { worker: string; attempts: number; ok: number }[] {
    const rows = this.db
      .prepare(
        `SELECT worker, COUNT(*) AS n, SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok
         FROM attempts WHERE task_id = ? GROUP BY worker ORDER BY n DESC, worker LIMIT ?`,
      )
      .all(taskId, max) as Raw[];
    return rows.map((r) => ({ worker: String(r.worker), attempts: Number(r.n), ok: Number(r.ok ?? 0) }));
  }

  workers(): WorkerRecord[] {
    return (this.db.prepare("SELECT * FROM workers").all() as Raw[]).map((r) => ({
      id: String(r.id),
      streak: Number(r.streak),
      valid: Number(r.valid),
      invalid: Number(r.invalid),
      errors: Number(r.errors),
      distrustedUntil: Number(r.distrusted_until),
    }));
  }

  putWorker(w: WorkerRecord): void {
    this.db
      .prepare(
        `INSERT INTO workers (id, streak, valid, invalid, errors, distrusted_until) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET streak = excluded.streak, valid = excluded.valid,
           invalid = excluded.invalid, errors = excluded.errors, distrusted_until = excluded.distrusted_until`,
      )
      .run(w.id, w.streak, w.valid, w.invalid, w.errors, w.distrustedUntil);
  }
}

function taskFromRow(r: Raw): TaskRow {
  return {
    id: String(r.id),
    functionHash: String(r.function_hash),
    reduceHash: r.reduce_hash === null ? null : String(r.reduce_hash),
    replication: Number(r.replication),
    quorum: Number(r.quorum),
    deadlineMs: Number(r.deadline_ms),
    budget: Number(r.budget),
    seed: r.seed === null ? null : String(r.seed),
    adaptive: r.adaptive === 1,
    status: r.status as TaskStatus,
    createdAt: Number(r.created_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    result: r.result === null ? null : String(r.result),
    resultHash: r.result_hash === null ? null : String(r.result_hash),
    error: json(r.error),
    jobsTotal: Number(r.jobs_total),
  };
}
