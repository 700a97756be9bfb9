import { canonicalJson } from "@p2pnode/codec";
import { COMPUTE_MAX_INPUT_BYTES, CodedError, type TaskSubmitRequest } from "@p2pnode/types";
import type { z } from "zod";
import { ComputeError } from "./errors.js";
import type { FunctionRegistry } from "./functions.js";
import { earlierTask } from "./idempotency.js";
import { checkProvedInputs, isProvedFunction } from "./peers/proved.js";
import type { Scheduler } from "./scheduler/scheduler.js";
import type { ComputeStore, IdempotentSubmit, TaskRow, TaskSpec } from "./store.js";

type Parsed = z.output<typeof TaskSubmitRequest>;

/**
 * Checks a task against its function and the node's limits, then hands it to the scheduler, which
 * persists it before anything is acknowledged. Every refusal is a typed 4xx.
 */
export async function submitTask(
  req: Parsed,
  registry: FunctionRegistry,
  scheduler: Scheduler,
  once?: { store: ComputeStore; idem: IdempotentSubmit },
): Promise<{ row: TaskRow; replayed: boolean }> {
  // After the last await and before the insert, nothing else runs: a second submission with the
  // same key that arrived while this one fetched its function finds this task here, or this
  // one finds that one's.
  const submit = (row: TaskSpec, inputs: string[]) => {
    const earlier = once && earlierTask(once.store, once.idem);
    if (earlier) return { row: earlier, replayed: true };
    return { row: scheduler.submit(row, inputs, once?.idem), replayed: false };
  };
  if (isProvedFunction(req.function)) return submitProved(req, submit);
  const fn = await registry.get(req.function);
  if (req.reduce !== undefined) await registry.get(req.reduce);
  const deadlineMs = req.deadlineMs ?? fn.limits.timeoutMs;
  const budget = req.budget ?? fn.limits.budget;
  if (deadlineMs > fn.limits.timeoutMs || budget > fn.limits.budget)
    throw new ComputeError(
      "LIMIT_EXCEEDS_FUNCTION",
      `the function allows deadlineMs ≤ ${fn.limits.timeoutMs} and budget ≤ ${fn.limits.budget}`,
      { deadlineMs, budget, limits: fn.limits },
    );
  const quorum = req.quorum ?? req.replication;
  if (quorum > req.replication)
    throw new CodedError("BAD_REQUEST", `quorum ${quorum} exceeds replication ${req.replication}`);
  const inputs = canonicalInputs(req.inputs);
  return submit(
    {
      functionHash: fn.hash,
      reduceHash: req.reduce ?? null,
      replication: req.replication,
      quorum,
      deadlineMs,
      budget,
      seed: req.seed ?? null,
      adaptive: req.adaptive,
      jobsTotal: inputs.length,
    },
    inputs,
  );
}

/** A proving job's default deadline: proving a 4,095-hash chain takes seconds, not minutes. */
const PROVED_DEADLINE_MS = 120_000;

/** A proved task: its answers carry proofs, so each job runs on one worker (replication 1). */
function submitProved(
  req: Parsed,
  submit: (row: TaskSpec, inputs: string[]) => { row: TaskRow; replayed: boolean },
): { row: TaskRow; replayed: boolean } {
  if (req.reduce !== undefined)
    throw new CodedError(
      "BAD_REQUEST",
      "a proved task has no reduce step (its result is the list of digests)",
    );
  checkProvedInputs(req.inputs);
  const inputs = canonicalInputs(req.inputs);
  return submit(
    {
      functionHash: req.function,
      reduceHash: null,
      replication: 1,
      quorum: 1,
      deadlineMs: req.deadlineMs ?? PROVED_DEADLINE_MS,
      budget: req.budget ?? 100_000,
      seed: null,
      adaptive: false,
      jobsTotal: inputs.length,
    },
    inputs,
  );
}

function canonicalInputs(values: Parsed["inputs"]): string[] {
  return values.map((v, i) => {
    const json = canonicalJson(v);
    const size = Buffer.byteLength(json);
    if (size > COMPUTE_MAX_INPUT_BYTES)
      throw new CodedError(
        "PAYLOAD_TOO_LARGE",
        `input ${i} is ${size} bytes; the limit is ${COMPUTE_MAX_INPUT_BYTES}`,
        {
          index: i,
          size,
          limit: COMPUTE_MAX_INPUT_BYTES,
        },
      );
    return json;
  });
}
