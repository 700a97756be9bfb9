import { createHash } from "node:crypto";
import { canonicalJson } from "@p2pnode/codec";
import type { RequestMeta } from "@p2pnode/kit";
import { CodedError, ComputeSubjects, IdempotencyKey } from "@p2pnode/types";
import { ComputeError } from "./errors.js";
import type { ComputeStore, IdempotentSubmit, TaskRow } from "./store.js";

/*
 * POST /tasks with an Idempotency-Key (the IETF httpapi draft's header, as Stripe uses it): a
 * client that lost the answer to a submission sends it again with the same key and gets the task
 * the first one made, not a second task. The key is stored with the task, in the transaction that
 * acknowledges it, so a replay finds it after a crash or restart too. compute.v1.task.submit over
 * NATS takes the same key as a NATS header of the same name.
 */

/**
 * The Idempotency-Key header of a compute.v1.task.submit request, checked by the rule POST /tasks
 * checks its header with (IdempotencyKey); undefined when the request has none.
 */
export function idempotencyKeyHeader(meta: RequestMeta): string | undefined {
  const raw = meta.header("Idempotency-Key");
  if (raw === undefined) return undefined;
  const r = IdempotencyKey.safeParse(raw);
  if (!r.success)
    throw new CodedError(
      "VALIDATION_FAILED",
      `${ComputeSubjects.taskSubmit.subject}: Idempotency-Key header fails its schema`,
      r.error.issues,
    );
  return r.data;
}

/** The key with the hash of the request's canonical JSON (after defaults are applied). */
export function idempotentSubmit(key: string, request: unknown): IdempotentSubmit {
  return { key, requestHash: createHash("sha256").update(canonicalJson(request)).digest("hex") };
}

/**
 * The task an earlier submission with this key made, or undefined for a new key. The same key
 * with another request is refused: 422 IDEMPOTENCY_KEY_REUSED.
 */
export function earlierTask(store: ComputeStore, idem: IdempotentSubmit): TaskRow | undefined {
  const earlier = store.taskByIdempotencyKey(idem.key);
  if (!earlier) return undefined;
  if (earlier.requestHash !== idem.requestHash)
    throw new ComputeError(
      "IDEMPOTENCY_KEY_REUSED",
      `Idempotency-Key ${JSON.stringify(idem.key)} was sent with another request (task ${earlier.task.id})`,
      { taskId: earlier.task.id },
    );
  return earlier.task;
}
