import { COMPUTE_MAX_TASK_RESULT_BYTES } from "@p2pnode/types";
import type { ComputeStore, TaskRow } from "../store.js";
import { jobSeed, textHash } from "./hashes.js";
import type { LiveJob } from "./live-job.js";

/** Runs a registered reduce function over the ordered results (locally, in the sandbox). */
export type Reducer = (
  reduceHash: string,
  input: string,
  seed: string | undefined,
) => Promise<{ ok: true; json: string } | { ok: false; code: string; message: string }>;

/** Aggregates a task whose jobs are all accepted: the reduce function's value, else the ordered list. */
export class Finisher {
  constructor(
    private readonly store: ComputeStore,
    private readonly reduce: Reducer,
  ) {}

  async finish(row: TaskRow, jobs: readonly LiveJob[]): Promise<"done" | "failed"> {
    const list = `[${jobs.map((j) => (j.decided?.outcome.ok ? j.decided.outcome.json : "null")).join(",")}]`;
    let result: { ok: true; json: string } | { ok: false; code: string; message: string } = {
      ok: true,
      json: list,
    };
    if (row.reduceHash !== null) {
      const seed = row.seed === null ? undefined : jobSeed(row.seed, jobs.length);
      result = await this.reduce(row.reduceHash, list, seed).catch((err: Error & { code?: string }) => ({
        ok: false as const,
        code: err.code ?? "INTERNAL",
        message: err.message,
      }));
    }
    if (result.ok && Buffer.byteLength(result.json) > COMPUTE_MAX_TASK_RESULT_BYTES)
      result = {
        ok: false,
        code: "RESULT_TOO_LARGE",
        message: `the task's result exceeds ${COMPUTE_MAX_TASK_RESULT_BYTES} bytes`,
      };
    const status = result.ok ? "done" : "failed";
    this.store.finishTask(
      row.id,
      result.ok
        ? { status, result: result.json, resultHash: textHash(result.json), error: null }
        : {
            status,
            result: null,
            resultHash: null,
            error: { code: result.code, message: `reduce: ${result.message}` },
          },
      Date.now(),
    );
    return status;
  }
}
